// The live page of one node (GET /): polls the node's own JSON routes and /metrics every 2 s and
// redraws, without reloading. Served under a strict Content-Security-Policy (no inline script or
// style), so everything is built here with createElement/createElementNS and every string the
// node sends (ids, roles, addresses, object names) goes in through textContent or setAttribute,
// never through HTML parsing.
/* global document, fetch, AbortSignal, setTimeout, console */
import {
  STATES,
  countByState,
  counterRate,
  formatAge,
  formatBytes,
  formatDuration,
  formatRate,
  layoutXorSpace,
  parseMetrics,
  replicaHealth,
  shortId,
  stateClass,
  sumOf,
} from './live-model.js';

/** How often the page asks the node; SWIM's detection bound is a few seconds, so this is small. */
const POLL_MS = 2_000;
/** The object list changes slowly and can be long: asked for every 10 s. */
const OBJECTS_EVERY_MS = 10_000;
const OBJECTS_SHOWN = 100;
/** Replica checks ask other nodes: one object per poll, round robin, so the cost stays bounded. */
const REPLICA_CHECKS_PER_POLL = 1;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Counters shown as rates: label, metric names summed (all labels), bytes or a count. */
const RATES = [
  { key: 'puts', label: 'puts', metrics: ['peerweave_content_puts_total'] },
  { key: 'gets', label: 'gets', metrics: ['peerweave_content_gets_total'] },
  { key: 'probes', label: 'SWIM probes', metrics: ['peerweave_swim_probes_total'] },
  { key: 'lookups', label: 'lookups', metrics: ['peerweave_routing_lookups_total'] },
  { key: 'search', label: 'search messages', metrics: ['peerweave_search_queries_sent_total', 'peerweave_search_queries_forwarded_total'] },
  { key: 'served', label: 'served to peers', metrics: ['peerweave_content_served_bytes_total'], bytes: true },
];
/** Gauges shown as they are. */
const GAUGES = [
  { key: 'stored', label: 'stored', metric: 'peerweave_storage_bytes', bytes: true },
  { key: 'backlog', label: 'repair backlog (blocks)', metric: 'peerweave_replication_repair_backlog_blocks' },
  { key: 'rss', label: 'memory (RSS)', metric: 'process_resident_memory_bytes', bytes: true },
  { key: 'health', label: 'local health (0 = best)', metric: 'peerweave_swim_local_health_score' },
];

const state = {
  /** Last sample of every rate: { t, v }. */
  counters: new Map(),
  objects: [],
  objectsMore: false,
  objectsAt: -Infinity,
  /** cid -> { health, at } */
  health: new Map(),
  healthCursor: 0,
  contacts: new Map(),
  polls: 0,
};

const byId = (id) => document.getElementById(id);

/** An element with attributes and text; the text is never parsed as HTML. */
function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function td(text, attrs) {
  return el('td', attrs, text);
}

async function get(path, as) {
  const res = await fetch(path, {
    headers: { accept: as === 'text' ? 'text/plain' : 'application/json' },
    cache: 'no-store',
    signal: AbortSignal.timeout(POLL_MS * 2),
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return as === 'text' ? res.text() : res.json();
}

// ---------------------------------------------------------------------------------------- header

function renderStatus(status) {
  byId('node-id').textContent = status.id;
  const role = byId('node-role');
  role.textContent = status.role;
  role.className = `role role-${status.role === 'supernode' ? 'supernode' : 'peer'}`;
  byId('node-version').textContent = status.version;
  byId('node-uptime').textContent = formatDuration(status.uptimeSeconds);
  document.title = `Peerweave ${status.role} ${shortId(status.id)}`;
}

function renderConnection(ok, total) {
  const c = byId('connection');
  const now = new Date();
  if (ok === total) {
    c.dataset.state = 'live';
    c.textContent = `live \u00b7 ${now.toLocaleTimeString()}`;
  } else if (ok > 0) {
    c.dataset.state = 'partial';
    c.textContent = `${total - ok} of ${total} requests failed \u00b7 ${now.toLocaleTimeString()}`;
  } else {
    c.dataset.state = 'down';
    c.textContent = `node not answering \u00b7 retrying every ${POLL_MS / 1000} s`;
  }
  document.body.dataset.polls = String(state.polls);
}

// ----------------------------------------------------------------------------------------- rates

function renderRates(text) {
  const metrics = parseMetrics(text);
  const t = Date.now();
  const tiles = [];
  for (const rate of RATES) {
    const values = rate.metrics.map((name) => sumOf(metrics, name)).filter((v) => v !== undefined);
    const current = { t, v: values.length > 0 ? values.reduce((a, b) => a + b, 0) : undefined };
    const perSecond = counterRate(state.counters.get(rate.key), current);
    state.counters.set(rate.key, current);
    tiles.push([rate.key, `${rate.label}/s`, rate.bytes && perSecond !== undefined ? `${formatBytes(perSecond)}/s` : formatRate(perSecond)]);
  }
  for (const gauge of GAUGES) {
    const v = sumOf(metrics, gauge.metric);
    const shown = v === undefined ? '\u2013' : gauge.bytes ? formatBytes(v) : String(Math.round(v * 100) / 100);
    tiles.push([gauge.key, gauge.label, shown]);
  }
  byId('rates').replaceChildren(
    ...tiles.map(([key, label, value]) => {
      const tile = el('div', { class: 'tile', 'data-key': key });
      tile.append(el('dt', {}, label), el('dd', {}, value));
      return tile;
    }),
  );
}

// -------------------------------------------------------------------------------------- contacts

function flagsOf(p) {
  return `${p.neighbourhood ? 'N' : ''}${p.overlay ? 'O' : ''}${p.inTable ? 'T' : ''}`;
}

function renderContacts(view) {
  const now = Date.now();
  state.contacts = new Map(view.peers.map((p) => [p.id, p]));
  const rows = view.peers.map((p) => {
    const s = stateClass(p.state);
    const tr = el('tr', { class: `state-${s}`, 'data-id': p.id, 'data-state': s });
    const badge = td('');
    badge.append(el('span', { class: `badge state-${s}` }, p.state));
    const id = td('');
    id.append(el('code', { title: p.id }, shortId(p.id)));
    tr.append(
      badge,
      id,
      td(p.role, { class: p.role === 'supernode' ? 'supernode' : undefined }),
      td(p.address, { class: 'address' }),
      td(p.bucket, { class: 'num' }),
      td(p.incarnation, { class: 'num' }),
      td(formatAge(p.lastSeen, now), { class: 'num' }),
      td(flagsOf(p), { class: 'flags' }),
    );
    return tr;
  });
  byId('contacts').tBodies[0].replaceChildren(...rows);
  const counts = countByState(view.peers);
  const parts = STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  byId('contacts-summary').textContent = `${view.peers.length} known${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  renderSpace(view);
}

function renderSpace(view) {
  const { points, rings, outer } = layoutXorSpace(view.self, view.peers, { inner: 36, outer: 190 });
  const space = byId('xor-space');
  const layers = { rings: svg('g', { class: 'rings' }), links: svg('g', { class: 'links' }), nodes: svg('g', { class: 'nodes' }) };
  // A circle at each bucket's inner edge and one at the edge of the key space; the bucket number
  // in its band, for at most about eight bands, always the outermost (the far half of the space).
  const every = Math.max(1, Math.ceil(rings.length / 8));
  rings.forEach((ring, i) => {
    layers.rings.append(svg('circle', { class: 'ring', r: ring.r, cx: 0, cy: 0 }));
    if ((rings.length - 1 - i) % every === 0) {
      layers.rings.append(svg('text', { class: 'ring-label', x: 0, y: -(ring.r + ring.rOuter) / 2 + 3 }, ring.bucket));
    }
  });
  layers.rings.append(svg('circle', { class: 'ring edge', r: outer, cx: 0, cy: 0 }));
  const hood = points.filter((p) => p.peer.neighbourhood && p.peer.state === 'alive');
  if (hood.length > 0) {
    const r = Math.max(...hood.map((p) => p.r)) + 8;
    layers.rings.append(svg('circle', { class: 'hood-boundary', r: Math.min(r, outer + 10), cx: 0, cy: 0 }));
  }
  // Alive contacts first, so a suspect or dead one is drawn on top of its neighbours.
  const order = (p) => (p.peer.state === 'alive' ? 0 : 1);
  for (const p of [...points].sort((a, b) => order(a) - order(b))) {
    const s = stateClass(p.peer.state);
    if (p.peer.overlay) layers.links.append(svg('line', { class: 'overlay-link', x1: 0, y1: 0, x2: p.x, y2: p.y }));
    const g = svg('g', {
      class: `node state-${s}${p.peer.neighbourhood ? ' hood' : ''}${p.peer.role === 'supernode' ? ' supernode' : ''}`,
      'data-id': p.peer.id,
      'data-state': s,
      transform: `translate(${p.x} ${p.y})`,
    });
    if (p.peer.neighbourhood) g.append(svg('circle', { class: 'halo', r: 10 }));
    g.append(p.peer.role === 'supernode' ? svg('rect', { class: 'marker', x: -6, y: -6, width: 12, height: 12, transform: 'rotate(45)' }) : svg('circle', { class: 'marker', r: 6 }));
    g.append(svg('title', {}, `${p.peer.id}\n${p.peer.role} \u00b7 ${p.peer.state} \u00b7 bucket ${p.peer.bucket} \u00b7 ${p.peer.address}`));
    layers.nodes.append(g);
  }
  const self = svg('g', { class: 'self' });
  self.append(svg('circle', { class: 'marker', r: 8 }), svg('title', {}, `this node\n${view.self}`));
  layers.nodes.append(self);
  space.replaceChildren(layers.rings, layers.links, layers.nodes);
}

// ---------------------------------------------------------------------------------------- search

function contactList(contacts) {
  const dd = el('dd');
  if (contacts.length === 0) {
    dd.textContent = 'none';
    return dd;
  }
  for (const c of contacts) {
    const known = state.contacts.get(c.id);
    const s = stateClass(known?.state);
    dd.append(el('code', { class: `chip state-${s}`, title: `${c.id} ${c.address}` }, shortId(c.id)), ' ');
  }
  return dd;
}

function renderSearch(s) {
  const facts = [
    ['role', el('dd', {}, s.role)],
    ['own index entries', el('dd', {}, s.indexEntries)],
    ['attached to', contactList(s.attachedTo)],
    ['known supernodes', contactList(s.knownSupernodes)],
  ];
  if (s.role === 'supernode') facts.push(['leaves', el('dd', {}, s.leaves)], ['leaf index entries', el('dd', {}, s.leafEntries)]);
  facts.push(['overlay neighbours', contactList(s.overlay)]);
  byId('search-status').replaceChildren(
    ...facts.flatMap(([label, dd]) => [el('dt', {}, label), dd]),
  );
}

// --------------------------------------------------------------------------------------- objects

async function refreshObjects() {
  const page = await get(`/v1/objects?limit=${OBJECTS_SHOWN}`);
  state.objects = page.objects;
  state.objectsMore = page.next !== undefined;
  state.objectsAt = Date.now();
  const live = new Set(state.objects.map((o) => o.cid));
  for (const cid of state.health.keys()) if (!live.has(cid)) state.health.delete(cid);
}

async function checkReplicas() {
  for (let i = 0; i < REPLICA_CHECKS_PER_POLL && state.objects.length > 0; i++) {
    const o = state.objects[state.healthCursor % state.objects.length];
    state.healthCursor = (state.healthCursor + 1) % state.objects.length;
    try {
      const view = await get(`/v1/objects/${encodeURIComponent(o.cid)}/replicas`);
      state.health.set(o.cid, { health: replicaHealth(view), at: new Date().toISOString() });
    } catch {
      state.health.set(o.cid, { health: { state: 'error' }, at: new Date().toISOString() });
    }
  }
}

function renderObjects() {
  const now = Date.now();
  const rows = state.objects.map((o) => {
    const tr = el('tr', { 'data-cid': o.cid });
    const name = td('');
    const link = el('a', { rel: 'noreferrer' }, o.name === '' ? '(no name)' : o.name);
    link.href = `/v1/objects/${encodeURIComponent(o.cid)}`;
    name.append(link);
    const cid = td('');
    cid.append(el('code', { title: o.cid }, `${o.cid.slice(0, 16)}\u2026`));
    const checked = state.health.get(o.cid);
    const h = checked?.health;
    const replicas = td('');
    const label =
      h === undefined ? 'pending' : h.state === 'error' ? 'check failed' : h.state === 'unknown' ? '\u2013' : `${h.weakest}/${h.r}${h.under > 0 ? ` (${h.under} ${h.under === 1 ? 'block' : 'blocks'} short)` : ''}`;
    replicas.append(el('span', { class: `badge health-${h?.state ?? 'pending'}`, 'data-health': h?.state ?? 'pending' }, label));
    tr.append(name, cid, td(formatBytes(o.size), { class: 'num' }), td(o.blocks, { class: 'num' }), replicas, td(checked ? formatAge(checked.at, now) : '\u2013', { class: 'num' }));
    return tr;
  });
  byId('objects').tBodies[0].replaceChildren(...rows);
  const ok = [...state.health.values()].filter((c) => c.health.state === 'ok').length;
  byId('objects-summary').textContent =
    `${state.objects.length}${state.objectsMore ? '+' : ''} held \u00b7 ${ok} of ${state.health.size} checked have every block on r nodes`;
}

// ------------------------------------------------------------------------------------------ loop

async function poll() {
  state.polls++;
  const jobs = [
    get('/v1/status').then(renderStatus),
    get('/v1/peers').then(renderContacts),
    get('/v1/search/status').then(renderSearch),
    get('/metrics', 'text').then(renderRates),
  ];
  if (Date.now() - state.objectsAt >= OBJECTS_EVERY_MS) jobs.push(refreshObjects());
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') console.warn('live page:', String(r.reason));
  await checkReplicas();
  renderObjects();
  renderConnection(results.filter((r) => r.status === 'fulfilled').length, results.length);
}

async function loop() {
  try {
    await poll();
  } finally {
    setTimeout(loop, POLL_MS);
  }
}

loop();
