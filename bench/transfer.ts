// Transfer figures for `npm run bench` (section `transfer`, issue #6), each beside a baseline
// measured in the same run:
//   1. a download from 4 providers each limited to the same rate, against one provider at that rate;
//   2. an unlimited 1 GiB download over loopback, against raw TCP (bench/loopback.ts).
// Both use the real machinery end to end: providers are separate Node processes serving
// ContentService's block stream (GetBlocks) through our GrpcServer, the client is a `Swarm` whose BlockSources call
// them through GrpcPeerTransport, and every block is checked against its CID (SHA-256) before the
// reader gets it. The reader consumes in order and drops each block (nothing accumulates).
//
//   node bench/transfer.ts serve <bytesPerSecond | 0> <blocks> <seed>
//
// is one provider: it derives the same blocks as every other process from the seed, prints its port
// on stdout and exits when its stdin closes (the bench ended, however it ended) or after a safety
// timeout. A rate of 0 means unlimited.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { NotFoundError, PeerweaveError, raceSignal, systemClock } from '@peerweave/core';
import {
  CONTENT_METHODS,
  contentServiceBinding,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  GrpcPeerTransport,
  GrpcServer,
  type ContentHandler,
} from '@peerweave/protocol';
import { Swarm, type BlockSource, type SwarmInit, type WantedBlock } from '@peerweave/transfer';
import { median, type Row } from './docker.ts';
import { loopbackTcpMBps } from './loopback.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const BLOCK = 256 * KiB;
/** Multicodec raw, multihash sha2-256 (libs/storage/src/cid.ts). */
const RAW_CODE = 0x55;
const SHA2_256_CODE = 0x12;

/** Figure 1: per-provider rate and size, so one provider takes ~9.4 s. */
const LIMITED_RATE = 8_000_000;
const LIMITED_BLOCKS = 288; // 72 MiB
const LIMITED_PROVIDERS = 4;
/** Figure 2: 1 GiB, from this many unlimited providers (2 was fastest on the 2-core bench machine). */
const UNLIMITED_BLOCKS = 4096;
const UNLIMITED_PROVIDERS = 2;
/** The malloc tunable of the Docker image (shared PERFORMANCE.md), given to the provider processes. */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=67108864';
/** A provider never outlives this, whatever happens to the bench. */
const PROVIDER_SAFETY_MS = 240_000;
const DOWNLOAD_DEADLINE_MS = 120_000;

/** A CID no provider holds (of the empty block). */
const ABSENT_CID = cidOf(new Uint8Array()).cid;

const mbps = (x: number): string => `${x.toFixed(x >= 100 ? 0 : 1)} MB/s`;
const failed = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);

// ---------------------------------------------------------------------------------------------
// The blocks: the same in every process, cheap to make (a PRNG fills one 256 KiB pattern once;
// block i is that pattern with i and the seed written over its first 8 bytes, so all CIDs differ).

function pattern(seed: number): Buffer {
  const words = new Uint32Array(BLOCK / 4);
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer);
}

function makeBlock(base: Buffer, index: number, seed: number): Buffer {
  const block = Buffer.allocUnsafeSlow(BLOCK);
  base.copy(block);
  block.writeUInt32BE(index >>> 0, 0);
  block.writeUInt32BE(seed >>> 0, 4);
  return block;
}

function cidOf(bytes: Uint8Array): { cid: string; digest: Buffer } {
  const digest = createHash('sha256').update(bytes).digest();
  return { cid: CID.createV1(RAW_CODE, Digest.create(SHA2_256_CODE, digest)).toString(), digest };
}

/** The CIDs (and their SHA-256 digests, for `verify`) of blocks 0..count-1 of `seed`, in order. */
export function blockList(count: number, seed: number): { blocks: WantedBlock[]; digests: Map<string, Buffer> } {
  const base = pattern(seed);
  const blocks: WantedBlock[] = [];
  const digests = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const { cid, digest } = cidOf(makeBlock(base, i, seed));
    blocks.push({ cid, bytes: BLOCK });
    digests.set(cid, digest);
  }
  return { blocks, digests };
}

// ---------------------------------------------------------------------------------------------
// The provider process.

/**
 * Paces responses to `bytesPerSecond`: a token bucket with no burst (tokens accrue at the rate; a
 * response of n bytes leaves once n tokens have accrued since the previous one left), first come
 * first served. A request withdrawn while it waits gives its place back. Pacing against the time
 * the previous response was due, not when its timer fired, keeps timer lateness from adding up.
 */
class Pacer {
  readonly #msPerByte: number;
  readonly #queue: { n: number; at: number | undefined; go: () => void }[] = [];
  #busyUntil = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(bytesPerSecond: number) {
    this.#msPerByte = 1000 / bytesPerSecond;
  }

  wait(n: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        n,
        at: undefined as number | undefined,
        go: (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        this.#pump();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = performance.now();
    for (let head = this.#queue[0]; head !== undefined; head = this.#queue[0]) {
      head.at ??= Math.max(now, this.#busyUntil) + head.n * this.#msPerByte;
      if (head.at > now) {
        this.#timer = setTimeout(() => this.#pump(), head.at - now);
        return;
      }
      this.#busyUntil = head.at;
      this.#queue.shift();
      head.go();
    }
  }
}

async function serve(bytesPerSecond: number, count: number, seed: number): Promise<void> {
  // Never outlive the bench: exit when it closes our stdin (it ended, or died), or after a while.
  setTimeout(() => process.exit(3), PROVIDER_SAFETY_MS).unref();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();

  const base = pattern(seed);
  const store = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const block = makeBlock(base, i, seed);
    store.set(cidOf(block).cid, block);
  }
  const pacer = bytesPerSecond > 0 ? new Pacer(bytesPerSecond) : undefined;
  const refuse = (): Promise<never> => Promise.reject(new PeerweaveError('METHOD_NOT_ALLOWED', 'a bench provider serves getBlock only'));
  const getBlock: ContentHandler['getBlock'] = async ({ cid }, context) => {
    const data = store.get(cid);
    if (data === undefined) return { found: false, data: new Uint8Array() };
    if (pacer !== undefined) await pacer.wait(data.length, context.signal);
    return { found: true, data };
  };
  // The read stream (GetBlocks) serves the same blocks at the same pace.
  const readBlock: ContentHandler['readBlock'] = async (cid, context) => {
    const data = store.get(cid);
    if (data !== undefined && pacer !== undefined) await pacer.wait(data.length, context.signal);
    return data;
  };
  const handler = { ...Object.fromEntries(CONTENT_METHODS.map((m) => [m, refuse])), getBlock, readBlock } as ContentHandler;
  const server = new GrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
    keepaliveMs: DEFAULT_KEEPALIVE_MS,
  });
  server.addService(contentServiceBinding(handler));
  await server.start();
  process.stdout.write(`${server.port}\n`);
}

// ---------------------------------------------------------------------------------------------
// The bench side.

interface Provider {
  address: string;
  kill(): void;
}

/** Starts provider processes; all of them are killed if any fails to start. */
async function startProviders(count: number, bytesPerSecond: number, blocks: number, seed: number): Promise<Provider[]> {
  const children: ChildProcess[] = [];
  const kill = (child: ChildProcess): void => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    return await Promise.all(
      Array.from({ length: count }, async () => {
        const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', String(bytesPerSecond), String(blocks), String(seed)], {
          stdio: ['pipe', 'pipe', 'inherit'],
          env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
        });
        children.push(child);
        child.stdin!.on('error', () => undefined);
        let out = '';
        child.stdout!.setEncoding('utf8');
        const port = await new Promise<number>((resolve, reject) => {
          child.stdout!.on('data', (d: string) => {
            out += d;
            if (out.includes('\n')) resolve(Number(out.trim()));
          });
          child.on('error', reject);
          child.on('exit', (code, signal) => reject(new Error(`provider exited (${code ?? signal}) before listening`)));
        });
        return { address: `127.0.0.1:${port}`, kill: () => kill(child) };
      }),
    );
  } catch (err) {
    children.forEach(kill);
    throw err;
  }
}

/**
 * Runs `body` with `count` providers of blocks 0..blocks-1 of `seed` and the list of those blocks
 * (derived here while the providers derive theirs); the providers are killed when it settles.
 */
export async function withProviders<T>(
  count: number,
  bytesPerSecond: number,
  blocks: number,
  seed: number,
  body: (providers: Provider[], list: ReturnType<typeof blockList>) => Promise<T>,
): Promise<T> {
  const starting = startProviders(count, bytesPerSecond, blocks, seed);
  starting.catch(() => undefined);
  const list = blockList(blocks, seed);
  const providers = await starting;
  try {
    return await body(providers, list);
  } finally {
    for (const p of providers) p.kill();
  }
}

/**
 * The highest RSS of this process from now until `end()`. Linux keeps that figure itself (VmHWM,
 * reset by writing 5 to /proc/self/clear_refs), which costs nothing while the download runs;
 * elsewhere RSS is sampled every 20 ms.
 */
function peakRss(): { end(): { start: number; peak: number } } {
  const start = process.memoryUsage.rss();
  const hwm = (): number | undefined => {
    try {
      const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      return kib === undefined ? undefined : Number(kib) * KiB;
    } catch {
      return undefined;
    }
  };
  let kernel = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    kernel = hwm() !== undefined;
  } catch {
    kernel = false;
  }
  let peak = start;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = kernel ? undefined : setInterval(sample, 20);
  let result: { start: number; peak: number } | undefined;
  return {
    end: () => {
      if (result !== undefined) return result;
      clearInterval(timer);
      sample();
      result = { start, peak: Math.max(peak, (kernel ? hwm() : undefined) ?? 0) };
      return result;
    },
  };
}

export interface Download {
  mbps: number;
  seconds: number;
  /** Highest RSS of this process during the download, minus its RSS at the start. */
  rssGrowth: number;
  rssStart: number;
  perPeerBlocks: Record<string, number>;
}

/**
 * Downloads `blocks` with a Swarm from the providers at `addresses` over fresh gRPC connections,
 * verifying each block against its CID and dropping it once read. `knobs` override SwarmInit
 * for experiments; the figures use the defaults (what a node does).
 */
export async function swarmDownload(
  addresses: readonly string[],
  blocks: readonly WantedBlock[],
  digests: ReadonlyMap<string, Buffer>,
  knobs: Partial<SwarmInit> = {},
): Promise<Download> {
  const transport = new GrpcPeerTransport({ defaultDeadlineMs: 30_000 });
  // One long-lived read stream (GetBlocks) per provider, as a node's swarmed read uses; a fetch
  // the swarm cancels (end game) is dropped, not cancelled on the stream.
  const readers = new Map<string, ReturnType<GrpcPeerTransport['openBlockReader']>>();
  const reader = (address: string): ReturnType<GrpcPeerTransport['openBlockReader']> => {
    let r = readers.get(address);
    if (r === undefined || r.closed) readers.set(address, (r = transport.openBlockReader(address)));
    return r;
  };
  const sources: BlockSource[] = addresses.map((address) => ({
    id: address,
    fetch: async (cid, { signal }) => {
      const got = reader(address).get(cid, { deadlineMs: 30_000 });
      got.catch(() => undefined);
      const data = await raceSignal(got, signal);
      if (data === undefined) throw new NotFoundError(`${address} does not hold ${cid}`);
      return data;
    },
  }));
  const swarm = new Swarm({
    blocks,
    providers: () => sources,
    verify: (cid, bytes) => {
      const want = digests.get(cid);
      return want !== undefined && createHash('sha256').update(bytes).digest().equals(want);
    },
    clock: systemClock,
    deadlineMs: DOWNLOAD_DEADLINE_MS,
    ...knobs,
  });
  const peak = peakRss();
  try {
    // Connect first (asking for a block nobody holds), so the figure is the transfer and not the
    // connection set-up, as for raw TCP.
    await Promise.all(addresses.map((a) => transport.request(a, 'getBlock', { cid: ABSENT_CID })));
    const started = performance.now();
    let bytes = 0;
    let index = 0;
    for await (const block of swarm.blocks()) {
      if (block.cid !== blocks[index]!.cid) throw new Error(`block ${index} out of order`);
      index++;
      bytes += block.bytes.length;
    }
    const seconds = (performance.now() - started) / 1000;
    if (index !== blocks.length) throw new Error(`got ${index} of ${blocks.length} blocks`);
    const perPeerBlocks = Object.fromEntries(Object.entries(swarm.stats().perPeer).map(([id, s]) => [id, s.blocks]));
    const rss = peak.end();
    return { mbps: bytes / 1e6 / seconds, seconds, rssGrowth: rss.peak - rss.start, rssStart: rss.start, perPeerBlocks };
  } finally {
    peak.end();
    await transport.close();
  }
}

/** Figure 1: 4 providers each limited to LIMITED_RATE, against 1 provider at that rate. */
async function limitedFigure(runs: number, push: (row: Row) => void): Promise<void> {
  const seed = 1;
  const size = `${(LIMITED_BLOCKS * BLOCK) / MiB} MiB`;
  console.error(`· transfer: ${size} from ${LIMITED_PROVIDERS} providers vs 1, each limited to ${mbps(LIMITED_RATE / 1e6)}`);
  const one: number[] = [];
  const many: number[] = [];
  await withProviders(LIMITED_PROVIDERS, LIMITED_RATE, LIMITED_BLOCKS, seed, async (providers, { blocks, digests }) => {
    for (let run = 0; run < runs; run++) {
      const single = await swarmDownload([providers[run % providers.length]!.address], blocks, digests);
      const all = await swarmDownload(
        providers.map((p) => p.address),
        blocks,
        digests,
      );
      one.push(single.mbps);
      many.push(all.mbps);
      console.error(
        `    run ${run + 1}: 1 provider ${mbps(single.mbps)} (${single.seconds.toFixed(1)} s), ${LIMITED_PROVIDERS} providers ${mbps(all.mbps)} (${all.seconds.toFixed(1)} s, blocks per provider ${Object.values(all.perPeerBlocks).join('/')})`,
      );
    }
  });
  const ours = median(many);
  const base = median(one);
  push({
    figure: `${size} swarm download (gRPC GetBlocks streams, verified) from ${LIMITED_PROVIDERS} provider processes, each limited to ${mbps(LIMITED_RATE / 1e6)}`,
    ours: mbps(ours),
    baseline: `${mbps(base)} from 1 such provider`,
    ratio: `${(ours / base).toFixed(2)}×`,
    target: '≥ 3×',
  });
}

/** Figure 2: an unlimited 1 GiB download over loopback, against raw TCP measured in the same run. */
async function unlimitedFigure(runs: number, push: (row: Row) => void): Promise<void> {
  const seed = 2;
  const total = UNLIMITED_BLOCKS * BLOCK;
  console.error(`· transfer: 1 GiB from ${UNLIMITED_PROVIDERS} unlimited providers vs raw TCP`);
  const ours: number[] = [];
  const tcp: number[] = [];
  const ratios: number[] = [];
  const growth: number[] = [];
  let rssStart = 0;
  await withProviders(UNLIMITED_PROVIDERS, 0, UNLIMITED_BLOCKS, seed, async (providers, { blocks, digests }) => {
    for (let run = 0; run < runs; run++) {
      const raw = await loopbackTcpMBps(total);
      const d = await swarmDownload(
        providers.map((p) => p.address),
        blocks,
        digests,
      );
      ours.push(d.mbps);
      tcp.push(raw);
      ratios.push(d.mbps / raw);
      growth.push(d.rssGrowth);
      rssStart = d.rssStart;
      console.error(
        `    run ${run + 1}: swarm ${mbps(d.mbps)} (${d.seconds.toFixed(1)} s, blocks per provider ${Object.values(d.perPeerBlocks).join('/')}), raw TCP ${mbps(raw)}, client RSS +${(d.rssGrowth / MiB).toFixed(0)} MiB`,
      );
    }
  });
  const maxGrowth = Math.max(...growth);
  push({
    figure: `1 GiB swarm download (gRPC GetBlocks streams, 4096 × 256 KiB, verified) from ${UNLIMITED_PROVIDERS} unlimited provider processes on loopback; client peak RSS +${(maxGrowth / MiB).toFixed(0)} MiB over ${(rssStart / MiB).toFixed(0)} MiB`,
    ours: mbps(median(ours)),
    baseline: `${mbps(median(tcp))} raw TCP on loopback (2 Node processes, 256 KiB writes, 1 GiB)`,
    ratio: `${median(ratios).toFixed(3)}×`,
    target: '≥ 0.5×',
  });
}

/** The transfer section of `npm run bench` (issue #6): both figures, median of `runs` runs. */
export async function transferSection(push: (row: Row) => void, runs: number): Promise<void> {
  const t0 = Date.now();
  try {
    await limitedFigure(runs, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: `swarm download from ${LIMITED_PROVIDERS} rate-limited providers`, ours: failed(err), baseline: '—', ratio: '—', target: '≥ 3×' });
    });
    await unlimitedFigure(runs, push).catch((err: unknown) => {
      process.exitCode = 1;
      push({ figure: '1 GiB swarm download on loopback', ours: failed(err), baseline: '—', ratio: '—', target: '≥ 0.5×' });
    });
  } finally {
    console.error(`    transfer section: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, rate, blocks, seed] = process.argv.slice(2);
  if (role !== 'serve') throw new Error('usage: transfer.ts serve <bytesPerSecond | 0> <blocks> <seed>');
  await serve(Number(rate), Number(blocks), Number(seed));
}
