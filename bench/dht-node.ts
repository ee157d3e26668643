// One js-libp2p kad-dht node in its own process, driven by its parent over IPC (see kad-dht.ts).
// The configuration is the one shared PERFORMANCE.md gives as working on loopback: libp2p 3.x,
// @libp2p/kad-dht 16.x (k = 20), tcp, noise, yamux, identify + ping, server mode, the mapper that
// keeps 127.0.0.1 addresses, loopback always allowed by the connection manager, and a key
// namespace `/bench/...` with its validator and selector.
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@libp2p/noise';
import { yamux } from '@libp2p/yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { kadDHT, removePublicAddressesMapper, type SingleKadDHT } from '@libp2p/kad-dht';
import { multiaddr } from '@multiformats/multiaddr';

export type DhtRequest =
  | { op: 'dial'; addrs: string[] }
  | { op: 'table' }
  | { op: 'put'; keys: string[]; values: string[]; concurrency: number }
  | { op: 'get'; key: string }
  | { op: 'stop' };

export type DhtReply =
  | { op: 'ready'; peerId: string; addrs: string[] }
  | { op: 'dial'; failed: number }
  | { op: 'table'; size: number }
  | { op: 'put'; ms: number[] }
  | { op: 'get'; ms: number; value?: string; rpcs: number }
  | { op: 'error'; message: string };

const NS = 'bench';
const enc = new TextEncoder();

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { allow: ['/ip4/127.0.0.1'] },
  services: {
    identify: identify(),
    ping: ping(),
    dht: kadDHT({
      clientMode: false,
      peerInfoMapper: removePublicAddressesMapper,
      validators: { [NS]: async () => {} },
      selectors: { [NS]: () => 0 },
    }),
  },
});
const dht = node.services.dht as SingleKadDHT;

function send(m: DhtReply): void {
  process.send?.(m);
}

async function handle(m: DhtRequest): Promise<DhtReply | undefined> {
  switch (m.op) {
    case 'dial': {
      let failed = 0;
      for (const a of m.addrs) await node.dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) }).catch(() => failed++);
      return { op: 'dial', failed };
    }
    case 'table':
      return { op: 'table', size: dht.routingTable.size };
    case 'put': {
      const ms: number[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < m.keys.length) {
          const i = next++;
          const t0 = performance.now();
          for await (const _ of dht.put(enc.encode(m.keys[i]!), Buffer.from(m.values[i]!, 'base64'), { signal: AbortSignal.timeout(30_000) })) void _;
          ms.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: m.concurrency }, worker));
      return { op: 'put', ms };
    }
    case 'get': {
      // The whole `get` as a user runs it: the query to its end, then the best value.
      const t0 = performance.now();
      let value: Uint8Array | undefined;
      let rpcs = 0;
      for await (const e of dht.get(enc.encode(m.key), { signal: AbortSignal.timeout(30_000) })) {
        if (e.name === 'SEND_QUERY') rpcs++;
        if (e.name === 'VALUE') value = e.value;
      }
      const ms = performance.now() - t0;
      return { op: 'get', ms, rpcs, ...(value ? { value: Buffer.from(value).toString('base64') } : {}) };
    }
    case 'stop':
      await node.stop();
      process.exit(0);
  }
}

process.on('message', (m: DhtRequest) => {
  handle(m).then(
    (r) => r && send(r),
    (err: unknown) => send({ op: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
// The parent going away (even by SIGKILL) ends this node too.
process.on('disconnect', () => process.exit(0));

send({ op: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) });
