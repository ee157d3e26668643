// CPU of one SWIM probe, caller and callee together, over the real GrpcPeerTransport and GrpcServer
// (codecs, validation, deadlines, error mapping): a ping on the PingStream (what nodes send) beside
// a unary Ping call (what they sent before, and still send to a peer that lacks PingStream), in
// the same process and the same run. Probes are paced one per PACE_MS, as SWIM sends them, so the
// figure includes the wake-ups an idle node pays rather than a saturated loop's batching; the cost
// of the pacing alone is measured and subtracted.
import { GrpcPeerTransport, GrpcServer, routingServiceBinding, type PeerContact, type RoutingHandler } from '@peerweave/protocol';
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const { streamUs, unaryUs } = await probeCost();
  console.log(`stream ${streamUs.toFixed(0)} µs, unary ${unaryUs.toFixed(0)} µs per probe (both ends)`);
}
