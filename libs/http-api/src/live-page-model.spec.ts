// The live page's pure functions (live-page/live-model.js, the same file the browser loads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIVE_PAGE_DIR } from './live-page-assets.ts';

interface Peer {
  id: string;
  state?: string;
  neighbourhood?: boolean;
}
type Metrics = Map<string, { labels: Record<string, string>; value: number }[]>;
interface LiveModel {
  STATES: string[];
  stateClass(state: unknown): string;
  xorLog2(a: string, b: string): number;
  keyspaceTurn(id: string): number;
  layoutXorSpace(
    self: string,
    peers: Peer[],
    size?: { inner: number; outer: number },
  ): { points: { peer: Peer; bits: number; r: number; x: number; y: number }[]; rings: { bucket: number; r: number; rOuter: number }[] };
  parseMetrics(text: string): Metrics;
  sumOf(metrics: Metrics, name: string, where?: Record<string, string>): number | undefined;
  counterRate(a: { t: number; v?: number } | undefined, b: { t: number; v?: number }): number | undefined;
  replicaHealth(view: unknown): { state: string; blocks: number; r: number; weakest: number; under: number };
  formatBytes(n: number | undefined): string;
  formatRate(n: number | undefined): string;
  formatAge(iso: string, nowMs: number): string;
  countByState(peers: Peer[]): Record<string, number>;
}

// A non-literal specifier: the module is plain JavaScript for the browser, typed by the interface above.
const model = (await import(new URL('live-model.js', LIVE_PAGE_DIR).href)) as LiveModel;

/** A 64-hex id from a hex prefix, padded with `fill`. */
const id = (prefix: string, fill = '0'): string => prefix.padEnd(64, fill);

test('xorLog2: its integer part is the Kademlia bucket (255 - common prefix length)', () => {
  const self = id('');
  const table: [string, number][] = [
    [id('8'), 255], // first bit differs
    [id('4'), 254],
    [id('1'), 252],
    [id('01'), 248],
    [id('', '0').slice(0, 63) + '1', 0], // only the last bit
    [id('', '0').slice(0, 63) + '3', 1],
    [id('ff', 'f'), 255],
  ];
  for (const [other, bucket] of table) {
    const bits = model.xorLog2(self, other);
    assert.equal(Math.floor(bits), bucket, other);
    assert.equal(model.xorLog2(other, self), bits, 'symmetric');
  }
  // Within a bucket, a larger distance is further out: 0x8000… < 0xc000… < 0xffff….
  assert.ok(model.xorLog2(self, id('8')) < model.xorLog2(self, id('c')));
  assert.ok(model.xorLog2(self, id('c')) < model.xorLog2(self, id('', 'f')));
  assert.ok(model.xorLog2(self, id('', 'f')) < 256);
  assert.equal(model.xorLog2(self, self), -Infinity);
  assert.ok(Number.isNaN(model.xorLog2(self, 'zz')));
  assert.ok(Number.isNaN(model.xorLog2(self, `<script>${'a'.repeat(56)}`)));
});

test('layoutXorSpace: closer contacts nearer the centre, one ring per bucket, angle from the id', () => {
  const self = id('');
  const far = id('8');
  const mid = id('1');
  const near = id('01');
  const { points, rings } = model.layoutXorSpace(self, [{ id: far }, { id: mid }, { id: near }, { id: 'bad' }, { id: self }], { inner: 40, outer: 190 });
  assert.equal(points.length, 3, 'malformed ids and self are not drawn');
  const r = Object.fromEntries(points.map((p) => [p.peer.id, p.r]));
  assert.ok(r[near]! < r[mid]! && r[mid]! < r[far]!);
  assert.equal(r[near], 40);
  assert.deepEqual(rings.map((x) => x.bucket), [248, 249, 250, 251, 252, 253, 254, 255]);
  for (const p of points) {
    assert.ok(Math.abs(Math.hypot(p.x, p.y) - p.r) < 0.05);
    const band = rings.find((x) => x.bucket === Math.floor(p.bits))!;
    assert.ok(band.r <= p.r && p.r <= band.rOuter, `${p.peer.id} lies in the band of its bucket`);
  }
  assert.equal(rings.at(-1)!.rOuter, 190, 'the last band ends at the edge');
  // Angle: ids starting 0x0…, 0x4…, 0x8…, 0xc… sit at 12, 3, 6 and 9 o'clock.
  const at = (prefix: string) => model.layoutXorSpace(self, [{ id: id(prefix) }]).points[0]!;
  assert.ok(at('4').x > 0 && Math.abs(at('4').y) < 0.05);
  assert.ok(at('8').y > 0 && Math.abs(at('8').x) < 0.05);
  assert.ok(at('c').x < 0 && Math.abs(at('c').y) < 0.05);
  // Everyone in the far half: still at least four rings, so the picture is not one circle.
  assert.equal(model.layoutXorSpace(self, [{ id: far }]).rings.length, 4);
  assert.deepEqual(model.layoutXorSpace(self, []).points, []);
});

test('parseMetrics and sumOf read the exposition format, labels with quotes and braces included', () => {
  const text = [
    '# HELP peerweave_content_puts_total Object uploads.',
    '# TYPE peerweave_content_puts_total counter',
    'peerweave_content_puts_total{outcome="ok"} 12',
    'peerweave_content_puts_total{outcome="INSUFFICIENT_REPLICAS"} 3',
    'peerweave_node_info{version="0.1.0",role="peer",node="a \\"b\\" {c}"} 1',
    'peerweave_swim_probes_total 4.5e2 1700000000000',
    'process_resident_memory_bytes 1048576',
    'odd_value +Inf',
    'not a metric line',
    'broken{x="unterminated} 1',
    '',
  ].join('\n');
  const m = model.parseMetrics(text);
  assert.equal(model.sumOf(m, 'peerweave_content_puts_total'), 15);
  assert.equal(model.sumOf(m, 'peerweave_content_puts_total', { outcome: 'ok' }), 12);
  assert.equal(model.sumOf(m, 'peerweave_swim_probes_total'), 450);
  assert.equal(model.sumOf(m, 'odd_value'), Infinity);
  assert.equal(model.sumOf(m, 'absent_total'), undefined);
  assert.equal(model.sumOf(m, 'peerweave_content_puts_total', { outcome: 'nope' }), undefined);
  assert.deepEqual(m.get('peerweave_node_info')![0]!.labels, { version: '0.1.0', role: 'peer', node: 'a "b" {c}' });
  assert.equal(m.has('broken'), false);
  assert.equal(m.has('not'), false);
});

test('counterRate: per second between samples; unknown without history or after a reset', () => {
  assert.equal(model.counterRate({ t: 1_000, v: 10 }, { t: 3_000, v: 30 }), 10);
  assert.equal(model.counterRate({ t: 1_000, v: 10 }, { t: 3_000, v: 10 }), 0);
  assert.equal(model.counterRate(undefined, { t: 3_000, v: 10 }), undefined);
  assert.equal(model.counterRate({ t: 1_000, v: 10 }, { t: 1_000, v: 20 }), undefined);
  assert.equal(model.counterRate({ t: 1_000, v: 50 }, { t: 3_000, v: 2 }), undefined, 'the node restarted');
  assert.equal(model.counterRate({ t: 1_000 }, { t: 3_000, v: 2 }), undefined);
});

test('replicaHealth: r from the replica sets, the weakest block decides', () => {
  const block = (holders: number) => ({ cid: 'b', replicas: ['a', 'b', 'c'], holders: Array.from({ length: holders }, (_, i) => `h${i}`) });
  assert.deepEqual(model.replicaHealth({ blocks: [block(3), block(4)] }), { state: 'ok', blocks: 2, r: 3, weakest: 3, under: 0 });
  assert.deepEqual(model.replicaHealth({ blocks: [block(3), block(2), block(1)] }), { state: 'under', blocks: 3, r: 3, weakest: 1, under: 2 });
  assert.equal(model.replicaHealth({ blocks: [block(3), block(0)] }).state, 'lost');
  assert.equal(model.replicaHealth({ blocks: [] }).state, 'unknown');
  assert.equal(model.replicaHealth(null).state, 'unknown');
  assert.equal(model.replicaHealth({ blocks: 'nope' }).state, 'unknown');
});

test('states and formatting', () => {
  assert.deepEqual(model.STATES, ['alive', 'suspect', 'dead', 'left']);
  assert.equal(model.stateClass('dead'), 'dead');
  assert.equal(model.stateClass('<b>'), 'unknown', 'only known states become class names');
  assert.equal(model.stateClass(undefined), 'unknown');
  assert.deepEqual(model.countByState([{ id: 'a', state: 'alive' }, { id: 'b', state: 'dead' }, { id: 'c', state: 'alive' }, { id: 'd', state: 'x' }]), {
    alive: 2,
    suspect: 0,
    dead: 1,
    left: 0,
  });
  assert.equal(model.formatBytes(0), '0 B');
  assert.equal(model.formatBytes(1536), '1.50 KiB');
  assert.equal(model.formatBytes(200 * 1024 * 1024), '200.0 MiB');
  assert.equal(model.formatBytes(undefined), '\u2013');
  assert.equal(model.formatRate(0), '0');
  assert.equal(model.formatRate(0.5), '0.50');
  assert.equal(model.formatRate(42.25), '42.3');
  assert.equal(model.formatRate(1234.4), '1234');
  assert.equal(model.formatRate(undefined), '\u2013');
  const now = Date.parse('2026-01-01T00:10:00Z');
  assert.equal(model.formatAge('2026-01-01T00:09:57Z', now), '3 s');
  assert.equal(model.formatAge('2026-01-01T00:00:00Z', now), '10 min');
  assert.equal(model.formatAge('garbage', now), '\u2013');
  assert.equal(model.keyspaceTurn(id('8')), 0.5);
});
