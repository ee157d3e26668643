// Raw TCP on loopback, the ceiling for bulk transfer (shared PERFORMANCE.md: ~1.8 GB/s here): a
// Node server and a Node client in separate processes, one socket, 256 KiB writes over 127.0.0.1.
//
//   node bench/loopback.ts server <bytes>          prints its port, acks with one byte once all arrived
//   node bench/loopback.ts client <port> <bytes>   prints the milliseconds from connect to that ack
//
// `loopbackTcpMBps()` runs both and returns MB/s (10^6 bytes per second).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const WRITE = 256 * 1024;

async function server(total: number): Promise<void> {
  const srv = createServer((sock) => {
    let got = 0;
    sock.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got >= total) sock.end(Buffer.from([1]));
    });
    sock.on('close', () => srv.close());
    sock.on('error', () => srv.close());
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  process.stdout.write(`${addr.port}\n`);
  // Never outlive the bench that started it.
  setTimeout(() => process.exit(2), 60_000).unref();
}

async function client(port: number, total: number): Promise<void> {
  const chunk = Buffer.alloc(WRITE, 0xa5);
  const started = performance.now();
  const sock = createConnection({ host: '127.0.0.1', port, noDelay: true });
  await once(sock, 'connect');
  const acked = once(sock, 'data');
  for (let sent = 0; sent < total; sent += WRITE) {
    if (!sock.write(total - sent >= WRITE ? chunk : chunk.subarray(0, total - sent))) await once(sock, 'drain');
  }
  await acked;
  process.stdout.write(`${(performance.now() - started).toFixed(3)}\n`);
  sock.destroy();
}

function run(args: string[]): { stdout: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const stdout = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`loopback ${args[0]} exited with ${code} before answering`)));
  });
  return { stdout, kill: () => void (child.exitCode === null && child.kill('SIGKILL')) };
}

/** One transfer of `bytes` from a client process to a server process over 127.0.0.1, in MB/s. */
export async function loopbackTcpMBps(bytes: number): Promise<number> {
  const srv = run(['server', String(bytes)]);
  let cli: ReturnType<typeof run> | undefined;
  try {
    const port = await srv.stdout;
    cli = run(['client', port, String(bytes)]);
    const ms = Number(await cli.stdout);
    return bytes / 1e6 / (ms / 1000);
  } finally {
    cli?.kill();
    srv.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, a, b] = process.argv.slice(2);
  if (role === 'server') await server(Number(a));
  else if (role === 'client') await client(Number(a), Number(b));
  else throw new Error('usage: loopback.ts server <bytes> | client <port> <bytes>');
}
