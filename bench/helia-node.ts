// The Helia baseline of the datapath section (bench/datapath.ts): the same file read by one Helia
// node from another over bitswap, each in its own process, set up as shared PERFORMANCE.md
// ("Running the Helia baseline here") says works here: helia 7 `createHeliaLight` (no delegated
// routing, no gateways), a libp2p made by hand (tcp + noise + yamux, identify, ping; no bootstrap,
// DHT, autonat, UPnP or relay; loopback allowed by the connection manager) and @helia/bitswap 4.
// The file is imported as ours is (libs/storage/src/unixfs-import.ts): CIDv1, raw leaves, 256 KiB
// chunks, balanced layout of 174 links, so both give the same root CID.
//
//   node bench/helia-node.ts holder <file> <bytes> imports the first <bytes> of the file, prints
//                                                  {"cid", "addrs", "importMs"}
//   node bench/helia-node.ts reader <multiaddr>    dials the holder, prints {"ready": true}; then for
//                                                  each line `<cid> [hash]` on stdin reads the file with
//                                                  `unixfs.cat`, discarding it, and prints
//                                                  {"bytes", "ms", "sha256"?}
//
// Either exits when its stdin closes (the bench ended, however it ended) or after a safety timeout.
// Helia keeps every block in its memory blockstore: both processes' RSS include the whole file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createHeliaLight } from 'helia';
import { withBitswap } from '@helia/bitswap';
import { unixfs } from '@helia/unixfs';
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@libp2p/noise';
import { yamux } from '@libp2p/yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { multiaddr } from '@multiformats/multiaddr';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import { rssSampler } from './local-peers.ts';

/** A Helia process never outlives this, whatever happens to the bench. */
const SAFETY_MS = 30 * 60_000;

async function startHelia() {
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.1'] },
    services: { identify: identify(), ping: ping() },
  });
  // `withLibp2p` (@helia/libp2p) would build libp2p from its defaults (bootstrap, DHT, autonat…);
  // bitswap needs only `helia.libp2p`, so the hand-made node is attached as that.
  const light = createHeliaLight();
  Object.defineProperty(light, 'libp2p', { value: libp2p, enumerable: true });
  const helia = withBitswap(light as unknown as Parameters<typeof withBitswap>[0]);
  await helia.start();
  return { helia, libp2p, fs: unixfs(helia) };
}

/** Never outlive the bench: exit when it closes our stdin (it ended, or died), or after a while. */
function boundLifetime(): void {
  setTimeout(() => process.exit(3), SAFETY_MS).unref();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
}

const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

async function holder(file: string, bytes: number): Promise<void> {
  boundLifetime();
  process.stdin.resume();
  const { libp2p, fs } = await startHelia();
  const t0 = performance.now();
  const cid = await fs.addByteStream(createReadStream(file, { highWaterMark: 1024 * 1024, end: bytes - 1 }), {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 262_144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
  });
  say({ cid: cid.toString(), addrs: libp2p.getMultiaddrs().map(String), importMs: performance.now() - t0 });
}

async function reader(holderAddr: string): Promise<void> {
  boundLifetime();
  const { libp2p, fs } = await startHelia();
  await libp2p.dial(multiaddr(holderAddr), { signal: AbortSignal.timeout(30_000) });
  say({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cidText, hash] = line.trim().split(/\s+/);
    if (!cidText) continue;
    const h = hash === 'hash' ? createHash('sha256') : undefined;
    let bytes = 0;
    const t0 = performance.now();
    for await (const piece of fs.cat(CID.parse(cidText))) {
      bytes += piece.byteLength;
      h?.update(piece);
    }
    say({ bytes, ms: performance.now() - t0, ...(h ? { sha256: h.digest('hex') } : {}) });
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The bench side.

interface Proc {
  child: ChildProcess;
  /** The next JSON line the process prints. */
  next<T>(timeoutMs: number): Promise<T>;
  kill(): void;
}

function start(args: string[], onChild: (child: ChildProcess) => void): Proc {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  onChild(child);
  child.stdin!.on('error', () => undefined);
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    waiting?.();
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
    waiting?.();
  });
  return {
    child,
    async next<T>(timeoutMs: number): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      while (lines.length === 0) {
        if (exited) throw new Error(`helia ${args[0]} exited (${child.exitCode ?? child.signalCode}) before answering`);
        if (Date.now() > deadline) throw new Error(`helia ${args[0]}: no answer in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiting = resolve;
          setTimeout(resolve, 500);
        });
        waiting = undefined;
      }
      return JSON.parse(lines.shift()!) as T;
    },
    kill: () => {
      child.stdin?.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface HeliaRead {
  mbps: number;
  seconds: number;
  bytes: number;
  cid: string;
  importSeconds: number;
  /** The reader's peak RSS during the read minus its RSS just before. */
  rssGrowth: number;
  rssStart: number;
  sha256?: string;
}

/**
 * Imports the first `bytes` of `file` into a Helia holder process and reads it from a second Helia process over
 * bitswap, timing only the read (`unixfs.cat` from the first block to the last, inside the reader,
 * after it dialled the holder). `onChild` sees every process started, so the caller can kill them
 * on a signal; both are killed before this returns.
 */
export async function heliaRead(
  file: string,
  opts: { bytes: number; hash: boolean; timeoutMs: number; onChild: (child: ChildProcess) => void },
): Promise<HeliaRead> {
  const procs: Proc[] = [];
  try {
    const h = start(['holder', file, String(opts.bytes)], opts.onChild);
    procs.push(h);
    const held = await h.next<{ cid: string; addrs: string[]; importMs: number }>(opts.timeoutMs);
    const addr = held.addrs.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/')) ?? held.addrs[0]!;
    const r = start(['reader', addr], opts.onChild);
    procs.push(r);
    await r.next<{ ready: true }>(60_000);
    const rss = rssSampler(r.child.pid!);
    r.child.stdin!.write(`${held.cid}${opts.hash ? ' hash' : ''}\n`);
    const got = await r.next<{ bytes: number; ms: number; sha256?: string }>(opts.timeoutMs);
    const mem = rss.end();
    return {
      mbps: got.bytes / 1e6 / (got.ms / 1000),
      seconds: got.ms / 1000,
      bytes: got.bytes,
      cid: held.cid,
      importSeconds: held.importMs / 1000,
      rssGrowth: mem.peak - mem.start,
      rssStart: mem.start,
      ...(got.sha256 ? { sha256: got.sha256 } : {}),
    };
  } finally {
    for (const p of procs) p.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, arg, bytes] = process.argv.slice(2);
  if (role === 'holder' && arg && bytes) await holder(arg, Number(bytes));
  else if (role === 'reader' && arg) await reader(arg);
  else throw new Error('usage: helia-node.ts holder <file> <bytes> | reader <multiaddr>');
}
