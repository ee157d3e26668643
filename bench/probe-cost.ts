// CPU of one SWIM probe, caller and callee together, over the real GrpcPeerTransport and GrpcServer
// (codecs, validation, deadlines, error mapping): a ping on the PingStream (what nodes send) beside
// a unary Ping call (what they sent before, and still send to a peer that lacks PingStream), in
// the same process and the same run. Probes are paced one per PACE_MS, as SWIM sends them, so the
// figure includes the wake-ups an idle node pays rather than a saturated loop's batching; the cost
// of the pacing alone is measured and subtracted.
//
// contentCallCostRows (content section): the same comparison for a content call, a GetRecord
// answered with a record, over the Calls stream and as a unary call, paced as above and with 8 in
// flight back to back (what a node under small-object load sees).
import { PeerweaveError } from '@peerweave/core';
import { CONTENT_METHODS, contentServiceBinding, GrpcPeerTransport, GrpcServer, routingServiceBinding, type ContentHandler, type PeerContact, type RoutingHandler } from '@peerweave/protocol';
import { Identity } from '@peerweave/identity';
import { signRecord } from '@peerweave/storage';
import { median, type Row } from './docker.ts';

const PROBES = Number(process.env.BENCH_PROBES ?? 400);
const PACE_MS = 5;
const ROUNDS = 3;

const self: PeerContact = { id: 'ab'.repeat(32), address: '127.0.0.1:1', role: 'peer', incarnation: 1 };
const caller: PeerContact = { id: 'cd'.repeat(32), address: '127.0.0.1:2', role: 'peer', incarnation: 1 };

const handler: RoutingHandler = {
  ping: async () => ({ sender: self, updates: [] }),
  pingReq: async () => ({ sender: self, updates: [], acked: false }),
  findNode: async () => ({ sender: self, updates: [], closest: [] }),
  leave: async () => ({ sender: self, updates: [] }),
};

/** Microseconds of process CPU per call of `fn`, paced, minus the pacing's own cost. */
async function paced(fn: () => Promise<unknown>): Promise<number> {
  const sleep = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, PACE_MS));
  const run = async (withCall: boolean): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < PROBES; i++) {
      if (withCall) await fn();
      await sleep();
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / PROBES;
  };
  const idle = await run(false);
  return (await run(true)) - idle;
}

export interface ProbeCost {
  streamUs: number;
  unaryUs: number;
}

export async function probeCost(): Promise<ProbeCost> {
  const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 4 * 1024 * 1024, keepaliveMs: 30_000 });
  server.addService(routingServiceBinding(handler));
  await server.start();
  const stream = new GrpcPeerTransport();
  const unary = new GrpcPeerTransport({ pingStream: false });
  const request = { sender: caller, updates: [], target: self.id };
  try {
    const ping = (t: GrpcPeerTransport) => () => t.request(server.address, 'ping', request, { deadlineMs: 1_000 });
    // Warm both paths (JIT, connection, stream) before measuring.
    for (let i = 0; i < 200; i++) await Promise.all([ping(stream)(), ping(unary)()]);
    const s: number[] = [];
    const u: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      s.push(await paced(ping(stream)));
      u.push(await paced(ping(unary)));
    }
    return { streamUs: median(s), unaryUs: median(u) };
  } finally {
    await stream.close();
    await unary.close();
    await server.stop({ graceMs: 1_000 });
  }
}

export async function probeCostRows(push: (r: Row) => void): Promise<void> {
  console.error(`· quiet: CPU per SWIM probe, caller + callee in one process, ${ROUNDS} × ${PROBES} probes one per ${PACE_MS} ms`);
  const { streamUs, unaryUs } = await probeCost();
  push({
    figure: 'CPU per SWIM probe, both ends (PingStream frame)',
    ours: `${(streamUs / 1000).toFixed(3)} ms`,
    baseline: `${(unaryUs / 1000).toFixed(3)} ms (unary Ping call, same run)`,
    ratio: `${(streamUs / unaryUs).toFixed(2)}×`,
    target: 'well below the unary call',
  });
}

/** Microseconds of process CPU per call of `fn` with `inFlight` calls at a time, back to back. */
async function loaded(fn: () => Promise<unknown>, calls: number, inFlight: number): Promise<number> {
  let next = 0;
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next++ < calls) await fn();
  }));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

export interface CallCost {
  stream: { pacedUs: number; loadedUs: number };
  unary: { pacedUs: number; loadedUs: number };
}

/** CPU of one GetRecord (both ends, one process) over the Calls stream and as a unary call. */
export async function contentCallCost(): Promise<CallCost> {
  const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
  const record = signRecord({ cid, name: 'object.bin', contentType: 'application/octet-stream', size: 4096, blocks: 1, keywords: ['bench'], createdMs: Date.now() }, Identity.generate());
  const refuse = (): Promise<never> => Promise.reject(new PeerweaveError('METHOD_NOT_ALLOWED', 'this bench serves getRecord only'));
  const handler = { ...Object.fromEntries(CONTENT_METHODS.map((m) => [m, refuse])), readBlock: refuse, writeBlocks: refuse, getRecord: async () => ({ record }) } as unknown as ContentHandler;
  const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 4 * 1024 * 1024, keepaliveMs: 30_000 });
  server.addService(contentServiceBinding(handler));
  await server.start();
  const stream = new GrpcPeerTransport();
  const unary = new GrpcPeerTransport({ callStream: false });
  try {
    const get = (t: GrpcPeerTransport) => () => t.request(server.address, 'getRecord', { cid }, { deadlineMs: 2_000 });
    for (let i = 0; i < 300; i++) await Promise.all([get(stream)(), get(unary)()]);
    const rows = { stream: { paced: [] as number[], loaded: [] as number[] }, unary: { paced: [] as number[], loaded: [] as number[] } };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, t] of [['stream', stream], ['unary', unary]] as const) {
        rows[name].paced.push(await paced(get(t)));
        rows[name].loaded.push(await loaded(get(t), 8 * PROBES, 8));
      }
    }
    return {
      stream: { pacedUs: median(rows.stream.paced), loadedUs: median(rows.stream.loaded) },
      unary: { pacedUs: median(rows.unary.paced), loadedUs: median(rows.unary.loaded) },
    };
  } finally {
    await stream.close();
    await unary.close();
    await server.stop({ graceMs: 1_000 });
  }
}

export async function contentCallCostRows(push: (r: Row) => void): Promise<void> {
  console.error(`· content: CPU per content call (GetRecord), caller + callee in one process, Calls stream vs unary`);
  const { stream, unary } = await contentCallCost();
  const ms = (us: number): string => `${(us / 1000).toFixed(3)} ms`;
  push({
    figure: `CPU per content call (GetRecord with a record), both ends: paced one per ${PACE_MS} ms / ${ROUNDS} × ${8 * PROBES} with 8 in flight (Calls stream frame)`,
    ours: `${ms(stream.pacedUs)} / ${ms(stream.loadedUs)}`,
    baseline: `${ms(unary.pacedUs)} / ${ms(unary.loadedUs)} (unary GetRecord call, same run)`,
    ratio: `${(stream.pacedUs / unary.pacedUs).toFixed(2)}× / ${(stream.loadedUs / unary.loadedUs).toFixed(2)}×`,
    target: 'well below the unary call',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const calls = await contentCallCost();
  console.log(`content GetRecord: stream ${calls.stream.pacedUs.toFixed(0)} / ${calls.stream.loadedUs.toFixed(0)} µs, unary ${calls.unary.pacedUs.toFixed(0)} / ${calls.unary.loadedUs.toFixed(0)} µs per call (paced / 8 in flight)`);
  const { streamUs, unaryUs } = await probeCost();
  console.log(`stream ${streamUs.toFixed(0)} µs, unary ${unaryUs.toFixed(0)} µs per probe (both ends)`);
}
