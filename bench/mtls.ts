// Mutual TLS figures for `npm run bench` (section `mtls`, issue #15): what the peer protocol costs
// with mTLS on (Ed25519 node certificates from a cluster CA, TLS 1.3) against the same with mTLS
// off, measured in the same run, alternating, on loopback:
//   1. a 1 KiB unary call (ContentService GetBlock answering 1 KiB, one at a time): p50;
//   2. bulk blocks: 256 MiB of 256 KiB blocks over one GetBlocks stream, 16 wants in flight (a
//      swarm's window per provider), each block SHA-256-checked on arrival as a node does;
//   3. the ceiling: raw TLS 1.3 against raw TCP between two Node processes (1 GiB of 256 KiB
//      writes, the same certificates), what Node's TLS socket itself costs here;
//   4. join time of 20 nodes (the dist bundle as node processes, all seeded with the first): from
//      starting them until each lists the 19 others alive; mTLS off is PEERWEAVE_INSECURE=true
//      with the same CA, so both self-issue their certificates.
// The server is another Node process (as a peer is), started once per mode:
//
//   node bench/mtls.ts serve <tls dir | -> <blocks>
//
// prints its port and exits when its stdin closes. `tls dir` holds ca.pem, cert.pem, key.pem.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect as netConnect, createServer as netServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { PeerweaveError } from '@peerweave/core';
import { createClusterCa } from '@peerweave/identity';
import {
  CONTENT_METHODS,
  contentServiceBinding,
  createCredentials,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  GrpcPeerTransport,
  GrpcServer,
  type ContentHandler,
  type CredentialsInit,
  type TlsMaterial,
} from '@peerweave/protocol';
import { median, percentile, type Row } from './docker.ts';
import { makeTls, readTlsOptions } from './tls-files.ts';
import { LocalPeers } from './local-peers.ts';

const KiB = 1024;
const BLOCK = 256 * KiB;
const BULK_BLOCKS = Number(process.env.BENCH_MTLS_BLOCKS ?? 1024); // 256 MiB
const WINDOW = 16;
const UNARY_CALLS = Number(process.env.BENCH_MTLS_CALLS ?? 3000);
const UNARY_WARMUP = 300;
const SAFETY_MS = 300_000;
/** The image's malloc tunable (shared PERFORMANCE.md), as the transfer bench gives its providers. */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=8388608:glibc.malloc.trim_threshold=67108864';

/** Block i: a pattern with i over its first 4 bytes (all differ; both processes derive the same). */
function block(i: number): Buffer {
  const b = Buffer.alloc(BLOCK, (i * 31) & 0xff);
  b.writeUInt32BE(i, 0);
  return b;
}
/** A raw CIDv1 (SHA-256) of `bytes`, as a block's CID is. */
function cidOfBytes(bytes: Uint8Array): string {
  return CID.createV1(0x55, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString();
}
const CIDS = new Map<number, string>();
const cidOf = (i: number): string => {
  let cid = CIDS.get(i);
  if (cid === undefined) CIDS.set(i, (cid = cidOfBytes(block(i))));
  return cid;
};
const SMALL = Buffer.alloc(KiB, 7);
const SMALL_CID = cidOfBytes(SMALL);

function readTls(dir: string): TlsMaterial {
  return { caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

async function serve(tlsDir: string, blocks: number): Promise<void> {
  setTimeout(() => process.exit(3), SAFETY_MS).unref();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  const store = new Map<string, Buffer>();
  for (let i = 0; i < blocks; i++) store.set(cidOf(i), block(i));
  const refuse = (): Promise<never> => Promise.reject(new PeerweaveError('METHOD_NOT_ALLOWED', 'not served by the bench'));
  const handler = {
    ...Object.fromEntries(CONTENT_METHODS.map((m) => [m, refuse])),
    getBlock: async ({ cid }: { cid: string }) => (cid === SMALL_CID ? { found: true, data: SMALL } : { found: false, data: new Uint8Array() }),
    readBlock: async (cid: string) => store.get(cid),
  } as unknown as ContentHandler;
  const init: CredentialsInit = tlsDir === '-' ? { insecure: true } : { tls: readTls(tlsDir) };
  const server = new GrpcServer({ host: '127.0.0.1', port: 0, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, keepaliveMs: DEFAULT_KEEPALIVE_MS, credentials: createCredentials(init) });
  server.addService(contentServiceBinding(handler));
  await server.start();
  process.stdout.write(`${server.port}\n`);
}

interface BenchServer {
  address: string;
  /** CPU seconds the server process has used so far (user + system, /proc: 10 ms resolution). */
  cpuSeconds(): number;
  kill(): void;
}

async function startServer(tlsDir: string): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', tlsDir, String(BULK_BLOCKS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
  });
  child.stdin!.on('error', () => undefined);
  const kill = (): void => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => reject(new Error(`bench server exited (${code ?? signal}) before listening`)));
    });
    const cpuSeconds = (): number => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    return { address: `127.0.0.1:${port}`, cpuSeconds, kill };
  } catch (err) {
    kill();
    throw err;
  }
}

interface Figures {
  unaryP50Ms: number;
  unaryP99Ms: number;
  bulkMBps: number;
  /** CPU of both processes per GiB moved (less disturbed by other load than the rate). */
  bulkCpuSecondsPerGiB: number;
}

/** One run against `address`: the unary latencies, then the bulk read, over a fresh transport. */
async function measure(server: BenchServer, credentials: CredentialsInit): Promise<Figures> {
  const address = server.address;
  const transport = new GrpcPeerTransport({ defaultDeadlineMs: 30_000, callStream: false, credentials: createCredentials(credentials) });
  try {
    const lat: number[] = [];
    for (let i = 0; i < UNARY_WARMUP + UNARY_CALLS; i++) {
      const t0 = performance.now();
      const r = await transport.request(address, 'getBlock', { cid: SMALL_CID });
      if (i >= UNARY_WARMUP) lat.push(performance.now() - t0);
      if (r.data.length !== KiB) throw new Error('short 1 KiB answer');
    }
    const digests = Array.from({ length: BULK_BLOCKS }, (_, i) => createHash('sha256').update(block(i)).digest());
    for (let i = 0; i < BULK_BLOCKS; i++) cidOf(i);
    const reader = transport.openBlockReader(address);
    try {
      await reader.get(cidOf(0), { deadlineMs: 30_000 }); // the stream is open: time the transfer only
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const serverCpu0 = server.cpuSeconds();
      let next = 0;
      let bytes = 0;
      const worker = async (): Promise<void> => {
        while (next < BULK_BLOCKS) {
          const i = next++;
          const data = await reader.get(cidOf(i), { deadlineMs: 30_000 });
          if (data === undefined || !createHash('sha256').update(data).digest().equals(digests[i]!)) throw new Error(`block ${i} missing or corrupt`);
          bytes += data.length;
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6 + (server.cpuSeconds() - serverCpu0);
      return { unaryP50Ms: percentile(lat, 50), unaryP99Ms: percentile(lat, 99), bulkMBps: bytes / 1e6 / seconds, bulkCpuSecondsPerGiB: cpuSeconds / (bytes / 2 ** 30) };
    } finally {
      reader.close();
    }
  } finally {
    await transport.close();
  }
}


const ms = (x: number): string => `${x.toFixed(3)} ms`;
const mbps = (x: number): string => `${x.toFixed(0)} MB/s`;

const RAW_BYTES = 1024 * 1024 * 1024;

/** The sending process of the raw figure: writes RAW_BYTES to `port` over TCP, or TLS with `tlsDir`'s client files. */
function rawSend(port: number, tlsDir: string): void {
  const socket: Socket =
    tlsDir === '-'
      ? netConnect(port, '127.0.0.1')
      : tlsConnect({ host: '127.0.0.1', port, ...readTlsOptions(tlsDir, 'client'), checkServerIdentity: () => undefined });
  const chunk = Buffer.alloc(BLOCK, 1);
  let sent = 0;
  const pump = (): void => {
    while (sent < RAW_BYTES) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  socket.once(tlsDir === '-' ? 'connect' : 'secureConnect', pump);
}


/** MB/s received from a sender process over raw TCP (`tlsDir` '-') or raw mutual TLS. */
async function rawMBps(tlsDir: string): Promise<number> {
  const server = tlsDir === '-' ? netServer() : tlsServer({ ...readTlsOptions(tlsDir, 'server'), requestCert: true, rejectUnauthorized: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const received = new Promise<number>((resolve, reject) => {
    server.once(tlsDir === '-' ? 'connection' : 'secureConnection', (socket: Socket) => {
      let bytes = 0;
      let started = 0;
      socket.on('data', (d: Buffer) => {
        if (started === 0) started = performance.now();
        bytes += d.length;
      });
      socket.on('end', () => resolve(bytes / 1e6 / ((performance.now() - started) / 1000)));
      socket.on('error', reject);
    });
  });
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'raw-send', String((server.address() as AddressInfo).port), tlsDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    return await received;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    server.close();
  }
}

const JOIN_PEERS = Number(process.env.BENCH_MTLS_JOIN_PEERS ?? 20);
const BUNDLE = fileURLToPath(new URL('../dist/lib/peer/main.mjs', import.meta.url));

/** Seconds from starting JOIN_PEERS node processes until each lists every other alive. */
async function joinSeconds(caDir: string, insecure: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-join-'));
  const peers = new LocalPeers({
    bundle: BUNDLE,
    dir,
    env: {
      PEERWEAVE_PRESET: 'lan',
      PEERWEAVE_LOG_LEVEL: 'warn',
      PEERWEAVE_CLUSTER_CA: join(caDir, 'cluster-ca.crt'),
      PEERWEAVE_CLUSTER_CA_KEY: join(caDir, 'cluster-ca.key'),
      PEERWEAVE_INSECURE: String(insecure),
    },
    safetyMs: SAFETY_MS,
  });
  try {
    const started = performance.now();
    const first = await peers.start('p0', []);
    await Promise.all(Array.from({ length: JOIN_PEERS - 1 }, (_, i) => peers.start(`p${i + 1}`, [first])));
    await peers.converged(180_000);
    return (performance.now() - started) / 1000;
  } finally {
    await peers.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The mtls section of `npm run bench`: mTLS on vs off, alternating, median of `runs` runs each. */
export async function mtlsSection(push: (row: Row) => void, runs: number): Promise<void> {
  console.error(`· mtls: ${UNARY_CALLS} × 1 KiB unary GetBlock and ${(BULK_BLOCKS * BLOCK) / 2 ** 20} MiB over GetBlocks, mTLS on vs off`);
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-mtls-'));
  const servers: { kill(): void }[] = [];
  try {
    const { serverDir, client } = await makeTls(dir);
    const plainServer = await startServer('-');
    servers.push(plainServer);
    const tlsServer = await startServer(serverDir);
    servers.push(tlsServer);
    const on: Figures[] = [];
    const off: Figures[] = [];
    for (let run = 0; run < runs; run++) {
      const a = await measure(plainServer, { insecure: true });
      const b = await measure(tlsServer, { tls: client });
      off.push(a);
      on.push(b);
      console.error(
        `    run ${run + 1}: unary p50 ${ms(b.unaryP50Ms)} on / ${ms(a.unaryP50Ms)} off; bulk ${mbps(b.bulkMBps)} on / ${mbps(a.bulkMBps)} off, ` +
          `CPU ${b.bulkCpuSecondsPerGiB.toFixed(2)} / ${a.bulkCpuSecondsPerGiB.toFixed(2)} s per GiB`,
      );
    }
    const med = (xs: Figures[], k: keyof Figures): number => median(xs.map((x) => x[k]));
    const rawTls: number[] = [];
    const rawTcp: number[] = [];
    for (let run = 0; run < runs; run++) {
      rawTcp.push(await rawMBps('-'));
      rawTls.push(await rawMBps(serverDir));
      console.error(`    raw run ${run + 1}: TLS ${mbps(rawTls.at(-1)!)} / TCP ${mbps(rawTcp.at(-1)!)}`);
    }
    const ca = await createClusterCa();
    writeFileSync(join(dir, 'cluster-ca.crt'), ca.certPem);
    writeFileSync(join(dir, 'cluster-ca.key'), ca.keyPem, { mode: 0o600 });
    const joinOn: number[] = [];
    const joinOff: number[] = [];
    for (let run = 0; run < runs; run++) {
      joinOff.push(await joinSeconds(dir, true));
      joinOn.push(await joinSeconds(dir, false));
      console.error(`    join run ${run + 1}: ${JOIN_PEERS} nodes ${joinOn.at(-1)!.toFixed(1)} s on / ${joinOff.at(-1)!.toFixed(1)} s off`);
    }
    const unaryRatio = median(on.map((x, i) => x.unaryP50Ms / off[i]!.unaryP50Ms));
    const bulkRatio = median(on.map((x, i) => x.bulkMBps / off[i]!.bulkMBps));
    const cpuRatio = median(on.map((x, i) => x.bulkCpuSecondsPerGiB / off[i]!.bulkCpuSecondsPerGiB));
    push({
      figure: `1 KiB unary call (GetBlock, sequential, ${UNARY_CALLS} calls), mTLS on (Ed25519 certificates, TLS 1.3)`,
      ours: `p50 ${ms(med(on, 'unaryP50Ms'))}, p99 ${ms(med(on, 'unaryP99Ms'))}`,
      baseline: `mTLS off: p50 ${ms(med(off, 'unaryP50Ms'))}, p99 ${ms(med(off, 'unaryP99Ms'))}`,
      ratio: `${unaryRatio.toFixed(2)}× (p50)`,
      target: 'close to 1×',
    });
    push({
      figure: `bulk blocks over one GetBlocks stream (${(BULK_BLOCKS * BLOCK) / 2 ** 20} MiB, 256 KiB blocks, ${WINDOW} in flight, SHA-256-checked), mTLS on`,
      ours: mbps(med(on, 'bulkMBps')),
      baseline: `mTLS off: ${mbps(med(off, 'bulkMBps'))}`,
      ratio: `${bulkRatio.toFixed(2)}×`,
      target: '≥ 0.85× (≤ 15 % loss)',
    });
    push({
      figure: 'CPU of both ends per GiB of those bulk blocks, mTLS on (the cost itself, less disturbed by other load than the rate)',
      ours: `${med(on, 'bulkCpuSecondsPerGiB').toFixed(2)} s/GiB`,
      baseline: `mTLS off: ${med(off, 'bulkCpuSecondsPerGiB').toFixed(2)} s/GiB`,
      ratio: `${cpuRatio.toFixed(2)}×`,
      target: '≤ 1.15×',
    });
    push({
      figure: 'the ceiling: raw TLS 1.3 (same certificates) vs raw TCP between two Node processes, 1 GiB of 256 KiB writes',
      ours: `TLS ${mbps(median(rawTls))}`,
      baseline: `TCP ${mbps(median(rawTcp))}`,
      ratio: `${median(rawTls.map((x, i) => x / rawTcp[i]!)).toFixed(2)}×`,
      target: 'what Node\'s TLS allows the bulk ratio',
    });
    push({
      figure: `join of ${JOIN_PEERS} nodes (node processes, seeded with the first) until each lists the others alive, mTLS on`,
      ours: `${median(joinOn).toFixed(1)} s`,
      baseline: `mTLS off (PEERWEAVE_INSECURE=true): ${median(joinOff).toFixed(1)} s`,
      ratio: `${median(joinOn.map((x, i) => x / joinOff[i]!)).toFixed(2)}×`,
      target: 'close to 1×',
    });
  } catch (err) {
    process.exitCode = 1;
    push({ figure: 'mTLS on vs off', ours: `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300), baseline: '—', ratio: '—', target: '≤ 15 % loss on bulk' });
  } finally {
    for (const s of servers) s.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') {
  await serve(process.argv[3]!, Number(process.argv[4]));
} else if (process.argv[2] === 'raw-send') {
  rawSend(Number(process.argv[3]), process.argv[4]!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows: Row[] = [];
  await mtlsSection((r) => rows.push(r), Number(process.env.BENCH_RUNS ?? 3));
  for (const r of rows) console.log(`| ${r.figure} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} |`);
}
