// The live page's pure parts, no DOM: XOR geometry, Prometheus text, rates, replica health and
// formatting. The browser loads this module from the node (GET /live/live-model.js); its spec
// (libs/http-api/src/live-page-model.spec.ts) imports the same file in Node.

const NODE_ID = /^[0-9a-f]{64}$/;

/** The four liveness states of /v1/peers, in the order the page lists and colours them. */
export const STATES = ['alive', 'suspect', 'dead', 'left'];

/** A state from the API, or 'unknown': only these names ever become CSS classes. */
export function stateClass(state) {
  return STATES.includes(state) ? state : 'unknown';
}

export function isNodeId(id) {
  return typeof id === 'string' && NODE_ID.test(id);
}

/**
 * log2 of the XOR distance between two node ids (64 hex digits), in [0, 256): its integer part is
 * the Kademlia bucket (255 minus the common prefix length), its fraction places the id inside the
 * bucket. -Infinity for the same id, NaN when either is not a node id.
 */
export function xorLog2(a, b) {
  if (!isNodeId(a) || !isNodeId(b)) return NaN;
  let i = 0;
  while (i < 64 && a[i] === b[i]) i++;
  if (i === 64) return -Infinity;
  // 13 hex digits = 52 bits, what a double holds exactly; the first is non-zero.
  const n = Math.min(13, 64 - i);
  let v = 0;
  for (let j = i; j < i + n; j++) v = v * 16 + (parseInt(a[j], 16) ^ parseInt(b[j], 16));
  // Rounding can carry 0xfff… up to the next integer: stay inside the bucket the prefix gives.
  const bucket = 4 * (63 - i) + (31 - Math.clz32(parseInt(a[i], 16) ^ parseInt(b[i], 16)));
  return Math.min(Math.log2(v) + 4 * (64 - i - n), bucket + 1 - 2 ** -32);
}

/** Where an id sits on the key ring, as a fraction of a turn (its first 32 bits). */
export function keyspaceTurn(id) {
  return isNodeId(id) ? parseInt(id.slice(0, 8), 16) / 2 ** 32 : 0;
}

/** At least this many buckets are drawn, so that a small network is not all on one ring. */
const MIN_SPAN_BITS = 4;

/**
 * Positions of contacts around `self` (at the origin): the radius grows with log2 of the XOR
 * distance (closest bucket shown at `inner`, the far half of the key space at `outer`), the angle
 * is the contact's place on the key ring. Returns the points and the band of every bucket drawn.
 */
export function layoutXorSpace(self, peers, { inner = 40, outer = 190 } = {}) {
  const placed = peers
    .filter((p) => isNodeId(p.id))
    .map((p) => ({ peer: p, bits: xorLog2(self, p.id) }))
    .filter((p) => Number.isFinite(p.bits));
  const lowest = placed.length > 0 ? Math.floor(Math.min(...placed.map((p) => p.bits))) : 256 - MIN_SPAN_BITS;
  const lo = Math.max(0, Math.min(lowest, 256 - MIN_SPAN_BITS));
  const radius = (bits) => inner + ((Math.max(bits, lo) - lo) / (256 - lo)) * (outer - inner);
  const points = placed.map(({ peer, bits }) => {
    const angle = keyspaceTurn(peer.id) * 2 * Math.PI - Math.PI / 2;
    const r = radius(bits);
    return { peer, bits, r, x: round2(r * Math.cos(angle)), y: round2(r * Math.sin(angle)) };
  });
  // One band per bucket: from r (distance 2^bucket) to rOuter (2^(bucket+1)).
  const rings = [];
  for (let bucket = lo; bucket <= 255; bucket++) rings.push({ bucket, r: round2(radius(bucket)), rOuter: round2(radius(bucket + 1)) });
  return { points, rings, outer };
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

/**
 * Prometheus text exposition format to a Map of metric name -> [{ labels, value }]. Comments,
 * blank lines and malformed lines are skipped; label values are unescaped.
 */
export function parseMetrics(text) {
  const out = new Map();
  for (const raw of String(text).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+\S+)?$/.exec(line);
    if (m === null) continue;
    const value = parseSampleValue(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    const labels = m[2] === undefined ? {} : parseLabels(m[2].slice(1, -1));
    if (labels === undefined) continue;
    let series = out.get(m[1]);
    if (series === undefined) out.set(m[1], (series = []));
    series.push({ labels, value });
  }
  return out;
}

function parseSampleValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
}

function parseLabels(body) {
  const labels = {};
  let i = 0;
  while (i < body.length) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"/.exec(body.slice(i));
    if (m === null) return body.slice(i).trim() === '' ? labels : undefined;
    i += m[0].length;
    let value = '';
    for (;;) {
      if (i >= body.length) return undefined;
      const ch = body[i++];
      if (ch === '"') break;
      if (ch === '\\' && i < body.length) {
        const next = body[i++];
        value += next === 'n' ? '\n' : next;
      } else {
        value += ch;
      }
    }
    labels[m[1]] = value;
    const rest = /^\s*,?/.exec(body.slice(i));
    i += rest[0].length;
  }
  return labels;
}

/** Sum of every series of a metric whose labels match `where`; undefined when it has none. */
export function sumOf(metrics, name, where = {}) {
  const series = metrics.get(name);
  if (series === undefined) return undefined;
  let sum;
  for (const s of series) {
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum = (sum ?? 0) + s.value;
  }
  return sum;
}

/**
 * Per-second rate of a counter between two samples `{ t (ms), v }`: undefined without a previous
 * sample, when no time passed, or when the counter went down (the node restarted).
 */
export function counterRate(previous, current) {
  if (previous === undefined || current === undefined) return undefined;
  if (previous.v === undefined || current.v === undefined) return undefined;
  const dt = (current.t - previous.t) / 1000;
  if (!(dt > 0) || current.v < previous.v) return undefined;
  return (current.v - previous.v) / dt;
}

/**
 * Replica health of an object from GET /v1/objects/:cid/replicas: r is the replica count asked
 * for, `weakest` the fewest holders of any block. 'ok' when every block has r holders, 'under'
 * when some has fewer, 'lost' when some block has none that answered, 'unknown' with no blocks.
 */
export function replicaHealth(view) {
  const blocks = Array.isArray(view?.blocks) ? view.blocks : [];
  if (blocks.length === 0) return { state: 'unknown', blocks: 0, r: 0, weakest: 0, under: 0 };
  const r = Math.max(...blocks.map((b) => (Array.isArray(b.replicas) ? b.replicas.length : 0)));
  let weakest = Infinity;
  let under = 0;
  for (const b of blocks) {
    const held = Array.isArray(b.holders) ? b.holders.length : 0;
    weakest = Math.min(weakest, held);
    if (held < r) under++;
  }
  const state = weakest === 0 ? 'lost' : under > 0 ? 'under' : 'ok';
  return { state, blocks: blocks.length, r, weakest, under };
}

/** First 12 hex digits of an id, enough to tell nodes apart on a screen. */
export function shortId(id) {
  return typeof id === 'string' ? id.slice(0, 12) : '';
}

export function formatBytes(n) {
  if (n === undefined || !Number.isFinite(n)) return '\u2013';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A rate per second with enough digits to see small ones; an en dash when unknown. */
export function formatRate(perSecond) {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '\u2013';
  if (perSecond === 0) return '0';
  if (perSecond < 10) return perSecond.toFixed(2);
  if (perSecond < 100) return perSecond.toFixed(1);
  return String(Math.round(perSecond));
}

/** How long ago an ISO time was, as "4 s", "3 min", "2 h". */
export function formatAge(iso, nowMs) {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return '\u2013';
  const s = Math.max(0, Math.round((nowMs - then) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '\u2013';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** Counts of contacts by state, every state present (0 when none). */
export function countByState(peers) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const p of peers) if (STATES.includes(p.state)) counts[p.state]++;
  return counts;
}
