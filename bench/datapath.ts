// Data-path figures for `npm run bench` (section `datapath`, issue #11), each beside a baseline
// measured in the same run, median of the runs:
//   1. a GET through the real read path: 3 holder processes hold every block of a random file
//      (put through holder 1, r = 3), a 4th node that joins after the put reads it, against raw
//      TCP between two Node processes (bench/loopback.ts); and the reader's RSS growth meanwhile;
//   2. a put of the file through one node of 4 (r = 3), against raw TCP; the uploader's TCP bytes
//      sent per byte put; routing lookups per block of the put;
//   3. the same read done by two Helia processes over bitswap (bench/helia-node.ts).
// No Docker: every node is `node dist/lib/peer/main.mjs` (the bundle `npm run build` makes, or the
// one under PEERWEAVE_BENCH_DIST), run as the image runs it, on loopback (bench/local-peers.ts).
// Data directories and the file are on tmpfs (/dev/shm) so the figures measure the data path, not
// this machine's disk. Every run starts fresh nodes: the put on an empty cluster, the read from a
// reader that never saw the file. The random file is made once, and streamed from disk to the put.
// A node that joins is one of the r = 3 closest of the 4 for about 3/4 of the blocks, and the
// holders' repair starts copying those to it within a second of its joining: the read races that,
// so each run prints the share of the file's bytes the holders served (GetBlock) during the read;
// the reader found the rest in its own store.
//
//   BENCH_DATAPATH_MIB        size of the file (default 1024)
//   BENCH_DATAPATH_HELIA_MIB  size read by Helia (default: the same; less reads the first bytes of
//                             the file: Helia keeps every block in memory in both processes)
//   BENCH_DATAPATH_VERIFY     first (default): the bench hashes what it reads (SHA-256 against the
//                             file) on the first run only, all: every run, none
//   BENCH_DATAPATH_PRESET     the nodes' PEERWEAVE_PRESET (default lan, what the image runs)
//   BENCH_DATAPATH_LOGS=1     keep the nodes' logs (in a folder under the OS temp dir, printed)
import { type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { cleanupOnSignal, median, type Row } from './docker.ts';
import { heliaRead, type HeliaRead } from './helia-node.ts';
import { LocalPeers, metricSum, procWchar, rssSampler, tcpBytesSent, type Metrics, type PeerProcess } from './local-peers.ts';
import { loopbackTcpMBps } from './loopback.ts';
import { readShapeMBps } from './read-shape.ts';

const MiB = 1024 * 1024;
const R = 3;
const SIZE = Math.round(Number(process.env.BENCH_DATAPATH_MIB ?? 1024) * MiB);
const HELIA_SIZE = Math.min(SIZE, Math.round(Number(process.env.BENCH_DATAPATH_HELIA_MIB ?? SIZE / MiB) * MiB));
const VERIFY = (process.env.BENCH_DATAPATH_VERIFY ?? 'first') as 'first' | 'all' | 'none';
const PRESET = process.env.BENCH_DATAPATH_PRESET ?? 'lan';
/** Deadline of one put or read: generous (2 MB/s) so a slow build on a busy machine still gives a figure. */
const TRANSFER_TIMEOUT_MS = Math.round(60_000 + (SIZE / 2e6) * 1000);
/** A node never outlives this (a put and a read, and the rest), whatever happens to the bench. */
const NODE_SAFETY_MS = 3 * TRANSFER_TIMEOUT_MS + 5 * 60_000;

const size = (bytes: number): string => (bytes >= 1024 * MiB ? `${+(bytes / 1024 / MiB).toFixed(2)} GiB` : `${+(bytes / MiB).toFixed(1)} MiB`);
const mbps = (x: number): string => `${x.toFixed(x >= 100 ? 0 : 1)} MB/s`;
const mib = (x: number): string => `${(x / MiB).toFixed(0)} MiB`;
const failed = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (x: number | undefined, digits = 0): string => (x === undefined || Number.isNaN(x) ? '?' : x.toFixed(digits));
const pct = (x: number | undefined): string => (x === undefined ? '?' : `${(100 * x).toFixed(0)} %`);

interface Located {
  cid: string;
  blocks: { cid: string; replicas: string[]; holders: string[] }[];
}

/** Writes `bytes` random bytes to `path` a few MiB at a time; SHA-256 of the whole and of the first `prefix` bytes. */
function makeRandomFile(path: string, bytes: number, prefix: number): { sha256: string; prefixSha256: string } {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(4 * MiB);
  const whole = createHash('sha256');
  const head = createHash('sha256');
  try {
    for (let off = 0; off < bytes; off += buf.length) {
      const n = Math.min(buf.length, bytes - off);
      randomFillSync(buf, 0, n);
      whole.update(buf.subarray(0, n));
      if (off < prefix) head.update(buf.subarray(0, Math.min(n, prefix - off)));
      writeSync(fd, buf, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: whole.digest('hex'), prefixSha256: head.digest('hex') };
}

/** POST /v1/objects of the file, streamed from disk; seconds until the 201. */
async function putFile(peers: LocalPeers, node: PeerProcess, file: string): Promise<{ cid: string; blocks: number; replicas: number; seconds: number }> {
  const t0 = performance.now();
  const res = await request(`${node.url}/v1/objects`, {
    method: 'POST',
    dispatcher: peers.agent,
    body: createReadStream(file, { highWaterMark: MiB }),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
    signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
  });
  const text = await res.body.text();
  const seconds = (performance.now() - t0) / 1000;
  if (res.statusCode !== 201) throw new Error(`put to ${node.name} → ${res.statusCode} ${text.slice(0, 300)}`);
  const out = JSON.parse(text) as { cid: string; size: number; blocks: number; replicas: number };
  if (out.size !== SIZE) throw new Error(`put to ${node.name} stored ${out.size} bytes of ${SIZE}`);
  return { ...out, seconds };
}

/** Until every block of `cid` is on `r` nodes as `node` sees it (a put may acknowledge at w < r); the last answer. */
async function replicated(peers: LocalPeers, node: PeerProcess, cid: string, timeoutMs: number): Promise<Located> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const where = await peers.json<Located>(node, `/v1/objects/${cid}/replicas`, 60_000);
    if (where.blocks.every((b) => b.holders.length >= R) || Date.now() > deadline) return where;
    await sleep(500);
  }
}

function placement(where: Located, nodes: readonly PeerProcess[]): string {
  const byCount = new Map<number, number>();
  for (const b of where.blocks) byCount.set(b.holders.length, (byCount.get(b.holders.length) ?? 0) + 1);
  const counts = [...byCount].sort((a, b) => b[0] - a[0]).map(([n, k]) => `${k} on ${n}`);
  const per = nodes.map((n) => `${n.name} ${where.blocks.filter((b) => b.holders.includes(n.id)).length}`);
  return `${where.blocks.length} blocks: ${counts.join(', ')} nodes; per node ${per.join(', ')}`;
}

/** The nodes' own CPU counter (user + system, all threads), read from /metrics before and after. */
const CPU_METRIC = 'process_cpu_seconds_total';

/** The sum, or undefined when one is missing. */
const sum = (xs: readonly (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) ? undefined : xs.reduce((a: number, x) => a + x!, 0));

/** The median of the runs that measured it, as CPU milliseconds per MiB. */
const cpuMedian = (xs: readonly (number | undefined)[]): string => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === 0 ? '?' : msPerMiB(median(known));
};

/** CPU milliseconds per MiB moved. */
const msPerMiB = (seconds: number | undefined): string => (seconds === undefined ? '?' : ((1000 * seconds) / (SIZE / MiB)).toFixed(2));

const delta = (after: Metrics, before: Metrics, name: string, where: Record<string, string> = {}): number | undefined => {
  const a = metricSum(after, name, where);
  const b = metricSum(before, name, where);
  return a === undefined || b === undefined ? undefined : a - b;
};

// ---------------------------------------------------------------------------------------------
// Figure 2: the put.

interface PutRun {
  mbps: number;
  seconds: number;
  blocks: number;
  /** Uploader's TCP bytes sent to peers (all its sockets but its HTTP port's) per byte put; undefined without `ss`. */
  sentPerByte: number | undefined;
  /** Uploader's write(2) bytes (sockets and its own block files) per byte put. */
  wcharPerByte: number | undefined;
  lookupsPerBlock: number | undefined;
  placement: string;
  /** Share of the blocks the uploader itself holds as a replica. */
  uploaderShare: number;
  /** CPU seconds (process_cpu_seconds_total) of the uploader and of the 3 others during the put. */
  cpu: { uploader: number | undefined; others: number | undefined };
}

async function putRun(dir: string, logDir: string, bundle: string, file: string, onChild: (c: ChildProcess) => void): Promise<PutRun> {
  const peers = new LocalPeers({ bundle, dir, logDir, env: nodeEnv(), safetyMs: NODE_SAFETY_MS, onChild });
  try {
    const up = await peers.start('uploader', []);
    const others: PeerProcess[] = [];
    for (const name of ['n2', 'n3', 'n4']) others.push(await peers.start(name, [up, ...others]));
    await peers.converged(60_000);
    const nodes = [up, ...others];
    const m0 = await peers.metrics(up);
    const o0 = await Promise.all(others.map((n) => peers.metrics(n)));
    const sent0 = await tcpBytesSent(up.pid);
    const w0 = procWchar(up.pid);
    const put = await putFile(peers, up, file);
    const where = await replicated(peers, up, put.cid, 60_000);
    // After the third copies landed (a put may be acknowledged at w = 2 before they do).
    const sent1 = await tcpBytesSent(up.pid);
    const w1 = procWchar(up.pid);
    const m1 = await peers.metrics(up);
    const o1 = await Promise.all(others.map((n) => peers.metrics(n)));
    let sent: number | undefined;
    if (sent0 && sent1) {
      // Peer traffic only: not what its HTTP port sent the bench (the 201, /replicas, /metrics).
      const http = `${new URL(up.url).host}>`;
      sent = 0;
      for (const [key, bytes] of sent1) if (!key.startsWith(http)) sent += bytes - (sent0.get(key) ?? 0);
    }
    const lookups = delta(m1, m0, 'peerweave_routing_lookups_total');
    return {
      mbps: SIZE / 1e6 / put.seconds,
      seconds: put.seconds,
      blocks: put.blocks,
      sentPerByte: sent === undefined ? undefined : sent / SIZE,
      wcharPerByte: w0 === undefined || w1 === undefined ? undefined : (w1 - w0) / SIZE,
      lookupsPerBlock: lookups === undefined ? undefined : lookups / put.blocks,
      placement: placement(where, nodes),
      uploaderShare: where.blocks.filter((b) => b.holders.includes(up.id)).length / where.blocks.length,
      cpu: { uploader: delta(m1, m0, CPU_METRIC), others: sum(o1.map((m, i) => delta(m, o0[i]!, CPU_METRIC))) },
    };
  } finally {
    await peers.killAll();
  }
}

// ---------------------------------------------------------------------------------------------
// Figure 1: the read.

interface ReadRun {
  /** Root CID of the file as our nodes stored it. */
  cid: string;
  mbps: number;
  seconds: number;
  putMBps: number;
  rssGrowth: number;
  rssStart: number;
  /** Blocks the reader had in its store when the read started. */
  heldAtStart: number | undefined;
  /** Blocks each holder served during the read. */
  served: (number | undefined)[];
  /**
   * Bytes the holders served (getBlock) during the read ÷ the file: below 1 when the reader read
   * blocks from its own store, i.e. copies the holders' repair pushed to it, a new replica, while
   * it read.
   */
  servedShare: number | undefined;
  /** Blocks in the reader's store when the read ended. */
  heldAtEnd: number | undefined;
  verified: boolean;
  /** CPU seconds (process_cpu_seconds_total) of the reader and of the 3 holders during the read. */
  cpu: { reader: number | undefined; holders: number | undefined };
}

async function readRun(
  dir: string,
  logDir: string,
  bundle: string,
  file: string,
  sha256: string,
  verify: boolean,
  onChild: (c: ChildProcess) => void,
): Promise<ReadRun> {
  const peers = new LocalPeers({ bundle, dir, logDir, env: nodeEnv(), safetyMs: NODE_SAFETY_MS, onChild });
  try {
    const holders: PeerProcess[] = [];
    // The holders' background repair is held off for the run: the reader, joining after the put,
    // becomes a replica of about 3/4 of the blocks, and repair would copy them to it while it
    // reads, so the figure would mix network reads with local ones. The read path is what is
    // measured; repair and anti-entropy have their own figures (section content).
    const quiet = { PEERWEAVE_REPAIR_DELAY_MS: '600000', PEERWEAVE_REPAIR_INTERVAL_MS: '600000', PEERWEAVE_ANTI_ENTROPY_INTERVAL_MS: '600000' };
    for (const name of ['h1', 'h2', 'h3']) holders.push(await peers.start(name, [...holders], quiet));
    await peers.converged(60_000);
    const put = await putFile(peers, holders[0]!, file);
    const where = await replicated(peers, holders[0]!, put.cid, 60_000);
    const complete = where.blocks.filter((b) => holders.every((h) => b.holders.includes(h.id))).length;
    if (complete !== where.blocks.length) throw new Error(`only ${complete} of ${where.blocks.length} blocks on all 3 holders after 60 s`);

    // The reader joins now, so it holds nothing of the file; it reads once it lists the 3 holders alive.
    const reader = await peers.start('reader', holders);
    await peers.converged(30_000, [reader]);
    const r0 = await peers.metrics(reader);
    const h0 = await Promise.all(holders.map((h) => peers.metrics(h)));
    const rss = rssSampler(reader.pid);
    const hash = verify ? createHash('sha256') : undefined;
    const t0 = performance.now();
    const res = await request(`${reader.url}/v1/objects/${put.cid}`, { dispatcher: peers.agent, signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS) });
    let got = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      got += chunk.length;
      hash?.update(chunk);
    }
    const seconds = (performance.now() - t0) / 1000;
    const mem = rss.end();
    if (res.statusCode !== 200 || got !== SIZE) throw new Error(`GET from the reader: status ${res.statusCode}, ${got} of ${SIZE} bytes`);
    if (hash && hash.digest('hex') !== sha256) throw new Error('GET from the reader: the bytes differ from the file (SHA-256)');
    const r1 = await peers.metrics(reader);
    const h1 = await Promise.all(holders.map((h) => peers.metrics(h)));
    const servedBytes = h1.map((m, i) => delta(m, h0[i]!, 'peerweave_content_served_bytes_total'));
    return {
      cid: put.cid,
      mbps: SIZE / 1e6 / seconds,
      seconds,
      putMBps: SIZE / 1e6 / put.seconds,
      rssGrowth: mem.peak - mem.start,
      rssStart: mem.start,
      heldAtStart: metricSum(r0, 'peerweave_storage_blocks'),
      heldAtEnd: metricSum(r1, 'peerweave_storage_blocks'),
      served: h1.map((m, i) => delta(m, h0[i]!, 'peerweave_content_blocks_served_total')),
      servedShare: servedBytes.some((x) => x === undefined) ? undefined : servedBytes.reduce((s: number, x) => s + x!, 0) / SIZE,
      verified: verify,
      cpu: { reader: delta(r1, r0, CPU_METRIC), holders: sum(h1.map((m, i) => delta(m, h0[i]!, CPU_METRIC))) },
    };
  } finally {
    await peers.killAll();
  }
}

function nodeEnv(): Record<string, string> {
  return {
    PEERWEAVE_PRESET: PRESET,
    PEERWEAVE_REPLICATION_FACTOR: String(R),
    // Logs go to a file per node; warnings and errors are enough to explain a failure.
    PEERWEAVE_LOG_LEVEL: 'warn',
  };
}

// ---------------------------------------------------------------------------------------------
// The section.

/** Folders left on tmpfs by a bench that was SIGKILLed (named after its pid, no longer running): they hold RAM. */
function removeStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^pw-datapath-(\d+)-/.exec(name)?.[1];
    if (pid === undefined) continue;
    try {
      process.kill(Number(pid), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

/** The datapath section of `npm run bench` (issue #11): all figures, median of `runs` runs. */
export async function datapathSection(root: string, runs: number, push: (row: Row) => void): Promise<void> {
  const t0 = Date.now();
  const dist = process.env.PEERWEAVE_BENCH_DIST ?? join(root, 'dist');
  const bundle = join(dist, 'lib', 'peer', 'main.mjs');
  if (!existsSync(bundle)) {
    process.exitCode = 1;
    push({ figure: 'datapath section', ours: `failed: no bundle at ${bundle} (run \`npm run build\` first)`, baseline: '—', ratio: '—', target: '—' });
    return;
  }
  const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  removeStale(shm);
  const tmp = mkdtempSync(join(shm, `pw-datapath-${process.pid}-`));
  const logs = process.env.BENCH_DATAPATH_LOGS === '1' ? mkdtempSync(join(tmpdir(), 'pw-datapath-logs-')) : undefined;
  const children = new Set<ChildProcess>();
  const onChild = (c: ChildProcess): void => {
    children.add(c);
    c.on('exit', () => children.delete(c));
  };
  const cleanup = (): void => {
    for (const c of children) {
      c.stdin?.destroy();
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const stopListening = cleanupOnSignal(cleanup);
  try {
    console.error(
      `· datapath: ${size(SIZE)} random file on ${shm === '/dev/shm' ? 'tmpfs' : 'disk'} (${tmp}); nodes from ${bundle} (built ${statSync(bundle).mtime.toISOString()}), preset ${PRESET}`,
    );
    const file = join(tmp, 'file.bin');
    const made = makeRandomFile(file, SIZE, HELIA_SIZE);
    const tcp: number[] = [];
    const shape: number[] = [];
    const reads: ReadRun[] = [];
    const puts: PutRun[] = [];
    const helia: HeliaRead[] = [];
    const errors: { read?: string; put?: string; helia?: string } = {};
    for (let run = 0; run < runs; run++) {
      const verify = VERIFY === 'all' || (VERIFY === 'first' && run === 0);
      const raw = await loopbackTcpMBps(SIZE);
      tcp.push(raw);
      // Other work on the machine distorts every figure here: say how busy it was.
      const say = (what: string): void => console.error(`    run ${run + 1} ${what}`);
      say(`raw TCP ${mbps(raw)} (load average ${loadavg()[0]!.toFixed(1)})`);
      try {
        shape.push(await readShapeMBps(file, SIZE));
        say(`the read's shape with Node's primitives alone ${mbps(shape.at(-1)!)}`);
      } catch (err) {
        say(`the read's shape: ${failed(err)}`);
      }

      const readDir = join(tmp, `read-${run}`);
      const logDir = (kind: string): string => {
        const d = join(logs ?? tmp, `${kind}-${run}`);
        mkdirSync(d, { recursive: true });
        return d;
      };
      try {
        const r = await readRun(readDir, logDir('read'), bundle, file, made.sha256, verify, onChild);
        reads.push(r);
        say(
          `read ${mbps(r.mbps)} (${r.seconds.toFixed(1)} s${r.verified ? ', sha256 checked' : ''}; reader RSS +${mib(r.rssGrowth)} over ${mib(r.rssStart)}; ` +
            `holders served ${pct(r.servedShare)} of the file's bytes, blocks per holder ${r.served.map((x) => fmt(x)).join('/')}; ` +
            `blocks in the reader's store ${fmt(r.heldAtStart)} → ${fmt(r.heldAtEnd)}; CPU per MiB: reader ${msPerMiB(r.cpu.reader)} ms, holders ${msPerMiB(r.cpu.holders)} ms); ` +
            `put to 3 nodes ${mbps(r.putMBps)}`,
        );
      } catch (err) {
        errors.read = failed(err);
        say(`read ${errors.read}`);
      } finally {
        rmSync(readDir, { recursive: true, force: true });
      }

      const putDir = join(tmp, `put-${run}`);
      try {
        const p = await putRun(putDir, logDir('put'), bundle, file, onChild);
        puts.push(p);
        say(
          `put ${mbps(p.mbps)} (${p.seconds.toFixed(1)} s; uploader TCP bytes sent ${fmt(p.sentPerByte, 2)}×, write(2) bytes ${fmt(p.wcharPerByte, 2)}× the file; ` +
            `lookups ${fmt(p.lookupsPerBlock, 2)} per block; CPU per MiB: uploader ${msPerMiB(p.cpu.uploader)} ms, others ${msPerMiB(p.cpu.others)} ms; ${p.placement})`,
        );
      } catch (err) {
        errors.put = failed(err);
        say(`put ${errors.put}`);
      } finally {
        rmSync(putDir, { recursive: true, force: true });
      }

      try {
        const h = await heliaRead(file, { bytes: HELIA_SIZE, hash: verify, timeoutMs: Math.round(60_000 + (HELIA_SIZE / 2e6) * 1000), onChild });
        if (h.bytes !== HELIA_SIZE) throw new Error(`Helia read ${h.bytes} of ${HELIA_SIZE} bytes`);
        if (h.sha256 !== undefined && h.sha256 !== made.prefixSha256) throw new Error('Helia read bytes that differ from the file (SHA-256)');
        helia.push(h);
        // Imported as ours (CIDv1, raw leaves, 256 KiB chunks, 174 links): the same file has the same root.
        const ours = HELIA_SIZE === SIZE ? reads.at(-1)?.cid : undefined;
        const same = ours === undefined ? '' : h.cid === ours ? ', same root CID as ours' : `, root CID ${h.cid} differs from ours ${ours}`;
        say(`Helia ${size(HELIA_SIZE)} ${mbps(h.mbps)} (${h.seconds.toFixed(1)} s, import ${h.importSeconds.toFixed(1)} s, reader RSS +${mib(h.rssGrowth)}${same})`);
      } catch (err) {
        errors.helia = failed(err);
        say(`Helia ${errors.helia}`);
      }
    }
    rows(push, { tcp, shape, reads, puts, helia, errors });
  } finally {
    stopListening();
    cleanup();
    if (logs) console.error(`    node logs kept in ${logs}`);
    console.error(`    datapath section: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
}

function rows(
  push: (row: Row) => void,
  { tcp, shape, reads, puts, helia, errors }: { tcp: number[]; shape: number[]; reads: ReadRun[]; puts: PutRun[]; helia: HeliaRead[]; errors: { read?: string; put?: string; helia?: string } },
): void {
  const tcpMBps = median(tcp);
  const tcpText = `${mbps(tcpMBps)} raw TCP on loopback (2 Node processes, 256 KiB writes, ${size(SIZE)})`;
  const n = (xs: unknown[]): string => (xs.length === tcp.length ? '' : ` (${xs.length} of ${tcp.length} runs)`);
  if (errors.read) process.exitCode = 1;
  if (reads.length === 0) {
    push({ figure: `${size(SIZE)} GET through a reader that joined after the put`, ours: errors.read ?? 'not measured', baseline: tcpText, ratio: '—', target: '≥ 0.5×' });
  } else {
    const ours = median(reads.map((r) => r.mbps));
    const shares = reads.map((r) => pct(r.servedShare)).join(', ');
    push({
      figure:
        `${size(SIZE)} GET (undici, read and dropped) from a 4th node started after the put; 3 holder processes (bundle, loopback, data on tmpfs), ` +
        `r = ${R}, every block on all 3; bytes the holders served ÷ file: ${shares} (below 100 %: the reader read the rest from its own store, copies the holders' repair pushed to it as a new replica while it read)${n(reads)}`,
      ours: mbps(ours),
      baseline: tcpText,
      ratio: `${(ours / tcpMBps).toFixed(3)}×`,
      target: '≥ 0.5×',
    });
    if (shape.length > 0) {
      const ceiling = median(shape);
      push({
        figure:
          `the ceiling of that GET's shape on this machine: the same file through Node's primitives alone (bench/read-shape.ts: 3 holder processes send 256 KiB blocks ` +
          `over mutual TLS 1.3, a reader process hashes each and forwards it in order over HTTP/1.1, undici reads and drops), no gRPC, no Peerweave code${n(shape)}`,
        ours: `${mbps(ours)} ours = ${(ours / ceiling).toFixed(2)}× the ceiling`,
        baseline: `${mbps(ceiling)} the shape; ${tcpText}`,
        ratio: `${(ceiling / tcpMBps).toFixed(3)}× (the shape ÷ raw TCP)`,
        target: ceiling / tcpMBps < 0.5 ? 'the GET target (≥ 0.5× raw TCP) is above it' : '—',
      });
    }
    const growth = Math.max(...reads.map((r) => r.rssGrowth));
    push({
      figure: `reader's RSS during that GET: highest minus before (VmHWM and 20 ms samples of /proc/<pid>), worst of ${reads.length} runs`,
      ours: `+${mib(growth)}`,
      baseline: `${mib(median(reads.map((r) => r.rssStart)))} before the read`,
      ratio: '—',
      target: '≤ +64 MiB',
    });
    // CPU per byte is what the data path's work costs, and varies less than MB/s with the other
    // load on the machine (2 cores for 4 node processes and the bench).
    push({
      figure: `CPU of that GET per MiB read (process_cpu_seconds_total deltas, all threads), median of ${reads.length} runs: the reader; the 3 holders together`,
      ours: `${cpuMedian(reads.map((r) => r.cpu.reader))} ms; ${cpuMedian(reads.map((r) => r.cpu.holders))} ms`,
      baseline: '—',
      ratio: '—',
      target: '—',
    });
  }
  if (errors.put) process.exitCode = 1;
  if (puts.length === 0) {
    push({ figure: `${size(SIZE)} put through one of 4 nodes, r = ${R}`, ours: errors.put ?? 'not measured', baseline: tcpText, ratio: '—', target: '≥ 0.2×' });
  } else {
    const ours = median(puts.map((p) => p.mbps));
    push({
      figure: `${size(SIZE)} put (POST /v1/objects, streamed from a file) through one of 4 fresh node processes, r = ${R}, until the 201${n(puts)}`,
      ours: mbps(ours),
      baseline: tcpText,
      ratio: `${(ours / tcpMBps).toFixed(3)}×`,
      target: '≥ 0.2×',
    });
    // Each block goes to its 3 closest of the 4 nodes; when the uploader is one of them it sends 2
    // copies, else 3: (1 − share) × 3 + share × 2 copies leave it per byte put.
    // Placement differs from run to run (new node ids): the ratio is taken per run.
    const share = median(puts.map((p) => p.uploaderShare));
    const expected = R - share;
    const sent = puts.map((p) => p.sentPerByte).filter((x): x is number => x !== undefined);
    const sentRatio = median(puts.filter((p) => p.sentPerByte !== undefined).map((p) => p.sentPerByte! / (R - p.uploaderShare)));
    const lookups = puts.map((p) => p.lookupsPerBlock).filter((x): x is number => x !== undefined);
    push({
      figure:
        `that put: bytes the uploader sent to peers on TCP (ss: all its sockets but HTTP) per byte put, after every block reached ${R} nodes; ` +
        `lookups per block (peerweave_routing_lookups_total on the uploader): ${lookups.length ? median(lookups).toFixed(2) : 'not exported'}; placement: ${puts.at(-1)!.placement}`,
      ours: sent.length ? `${median(sent).toFixed(2)}×` : `not measured (no ss); write(2) bytes ${fmt(median(puts.map((p) => p.wcharPerByte ?? NaN)), 2)}× (sockets and its own block files)`,
      baseline: `${expected.toFixed(2)}× = copies to the other replicas (the uploader is one of the ${R} for ${(100 * share).toFixed(0)} % of blocks)`,
      ratio: sent.length ? `${sentRatio.toFixed(2)}×` : '—',
      target: '—',
    });
    push({
      figure: `CPU of that put per MiB put (process_cpu_seconds_total deltas until every block is on ${R} nodes), median of ${puts.length} runs: the uploader; the 3 others together`,
      ours: `${cpuMedian(puts.map((p) => p.cpu.uploader))} ms; ${cpuMedian(puts.map((p) => p.cpu.others))} ms`,
      baseline: '—',
      ratio: '—',
      target: '—',
    });
  }
  if (errors.helia) process.exitCode = 1;
  const oursRead = reads.length ? median(reads.map((r) => r.mbps)) : undefined;
  if (helia.length === 0) {
    push({ figure: 'the same read by Helia over bitswap', ours: oursRead === undefined ? '—' : mbps(oursRead), baseline: errors.helia ?? 'not measured', ratio: '—', target: '≥ 5×' });
  } else {
    const h = median(helia.map((x) => x.mbps));
    push({
      figure:
        `the same read, ours ÷ Helia → Helia over bitswap (2 processes, tcp + noise + yamux, ${HELIA_SIZE === SIZE ? 'the same file' : `the first ${size(HELIA_SIZE)} of the file, as Helia keeps it all in memory`}, ` +
        `256 KiB raw leaves, CIDv1; Helia reader RSS +${mib(Math.max(...helia.map((x) => x.rssGrowth)))})${n(helia)}`,
      ours: oursRead === undefined ? '—' : mbps(oursRead),
      baseline: `${mbps(h)} Helia unixfs.cat`,
      ratio: oursRead === undefined ? '—' : `${(oursRead / h).toFixed(2)}×`,
      target: '≥ 5×',
    });
  }
}
