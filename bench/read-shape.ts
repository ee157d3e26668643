// The ceiling of the read path's shape on this machine, with Node's primitives and no Peerweave
// code: 3 holder processes read 256 KiB blocks of a file on tmpfs and send them over mutual TLS
// 1.3 (Ed25519 node certificates from a cluster CA, as the nodes use), a reader process takes
// block i from holder i mod 3, hashes it (SHA-256) and forwards it in order on an HTTP/1.1
// response, and the bench reads that response with undici and drops it — what the data-path GET
// does (bench/datapath.ts), minus everything a real node does besides: gRPC and HTTP/2 framing,
// CIDs, the swarm's scheduling, the read cache, metrics. Run beside raw TCP (bench/loopback.ts) it
// says how far any implementation of this shape can get on this machine.
//
//   node bench/read-shape.ts holder <tls dir> <file> <index> <blocks>   prints its port
//   node bench/read-shape.ts reader <tls dir> <blocks> <port> <port> <port>   prints its port
//
// `readShapeMBps(file, bytes)` runs the four processes and returns MB/s (10^6 bytes per second).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { createServer as httpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as tlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { makeTls, readTlsOptions } from './tls-files.ts';

const BLOCK = 256 * 1024;
const HOLDERS = 3;
/** Blocks the reader lets pile up from one holder before it pauses that socket. */
const WINDOW = 8;

function listen(server: { listen(port: number, host: string): unknown; address(): AddressInfo | string | null }): void {
  server.listen(0, '127.0.0.1');
  void once(server as never, 'listening').then(() => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  // Never outlive the bench that started it.
  setTimeout(() => process.exit(2), 10 * 60_000).unref();
}

/** Sends blocks index, index + 3, … of `file` to the one connection that asks (one byte). */
function holder(dir: string, file: string, index: number, blocks: number): void {
  const fd = openSync(file, 'r');
  const server = tlsServer({ ...readTlsOptions(dir, 'server'), requestCert: true, rejectUnauthorized: true }, (socket) => {
    socket.once('data', async () => {
      for (let b = index; b < blocks; b += HOLDERS) {
        const block = Buffer.allocUnsafe(BLOCK);
        readSync(fd, block, 0, BLOCK, b * BLOCK);
        if (!socket.write(block)) await once(socket, 'drain');
      }
    });
    socket.on('error', () => {});
  });
  listen(server);
}

interface Source {
  readonly socket: TLSSocket;
  chunks: Buffer[];
  bytes: number;
  wake: (() => void) | undefined;
}

/** Serves one GET: the blocks in order, each taken from its holder, hashed, then written. */
function reader(dir: string, blocks: number, ports: number[]): void {
  const server = httpServer(async (_req, res) => {
    const sources = await Promise.all(
      ports.map(async (port) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ...readTlsOptions(dir, 'client'), checkServerIdentity: () => undefined });
        await once(socket, 'secureConnect');
        const source: Source = { socket, chunks: [], bytes: 0, wake: undefined };
        socket.on('data', (chunk: Buffer) => {
          source.chunks.push(chunk);
          source.bytes += chunk.length;
          if (source.bytes > WINDOW * BLOCK) socket.pause();
          source.wake?.();
        });
        socket.write('g');
        return source;
      }),
    );
    res.writeHead(200, { 'content-length': String(blocks * BLOCK) });
    for (let b = 0; b < blocks; b++) {
      const source = sources[b % HOLDERS]!;
      while (source.bytes < BLOCK) await new Promise<void>((resolve) => (source.wake = resolve));
      source.wake = undefined;
      const joined = source.chunks.length === 1 ? source.chunks[0]! : Buffer.concat(source.chunks, source.bytes);
      const block = joined.subarray(0, BLOCK);
      const rest = joined.subarray(BLOCK);
      source.chunks = rest.length > 0 ? [rest] : [];
      source.bytes = rest.length;
      if (source.bytes <= WINDOW * BLOCK) source.socket.resume();
      createHash('sha256').update(block).digest();
      if (!res.write(block)) await once(res, 'drain');
    }
    res.end();
    for (const s of sources) s.socket.destroy();
  });
  listen(server);
}

function start(args: string[]): { port: Promise<number>; kill: () => void } {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`read-shape ${args[0]} exited with ${code} before listening`)));
  });
  return { port, kill: () => void (child.exitCode === null && child.kill('SIGKILL')) };
}

/** GET of the first `bytes` of `file` (a multiple of 256 KiB) through the shape above, in MB/s. */
export async function readShapeMBps(file: string, bytes: number): Promise<number> {
  const blocks = Math.floor(bytes / BLOCK);
  const dir = mkdtempSync(join(tmpdir(), 'pw-read-shape-'));
  const children: { kill: () => void }[] = [];
  try {
    // Holders serve with the server's certificate, the reader connects with the client's.
    await makeTls(dir);
    const holders = [0, 1, 2].map((i) => start(['holder', dir, file, String(i), String(blocks)]));
    children.push(...holders);
    const ports = await Promise.all(holders.map((h) => h.port));
    const readerProcess = start(['reader', dir, String(blocks), ...ports.map(String)]);
    children.push(readerProcess);
    const port = await readerProcess.port;
    const started = performance.now();
    const res = await request(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5 * 60_000) });
    let got = 0;
    for await (const chunk of res.body) got += (chunk as Buffer).length;
    const seconds = (performance.now() - started) / 1000;
    if (got !== blocks * BLOCK) throw new Error(`read-shape read ${got} of ${blocks * BLOCK} bytes`);
    return got / 1e6 / seconds;
  } finally {
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, dir, ...rest] = process.argv.slice(2);
  if (role === 'holder') holder(dir!, rest[0]!, Number(rest[1]), Number(rest[2]));
  else if (role === 'reader') reader(dir!, Number(rest[0]), rest.slice(1).map(Number));
  else {
    console.error('usage: node bench/read-shape.ts holder|reader …  (run by bench/datapath.ts)');
    process.exit(2);
  }
}
