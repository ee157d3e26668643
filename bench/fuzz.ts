// `npm run fuzz` (issue #15 item 4): throws generated inputs at one live node and prints figures.
//
// The node is the built bundle (dist/lib/peer/main.mjs, what the image runs) started by
// bench/local-peers.ts's LocalPeers: no Docker, up in about a second, and its RSS and CPU are read
// straight from /proc. It lives in bench/ beside that harness because, like the benches, it
// measures a live node; scripts/fuzz.spec.ts runs a short version inside the test command.
//
// Inputs (fast-check arbitraries, reproducible from FUZZ_SEED):
// - gRPC: every method of every service in proto/ (unary and the bidi streams PingStream, Calls,
//   GetBlocks, PutBlocks), through grpc-js with identity (raw) serializers so malformed protobuf
//   reaches the server: raw bytes, protobuf-shaped messages and mutated valid requests
//   (libs/protocol/src/testing/wire-arbitraries.ts);
// - HTTP: every route the node lists in GET /openapi.json (plus `/` and unknown paths), with
//   fuzzed methods, paths, CIDs, query strings, headers (Range, Accept, If-None-Match, If-Range,
//   Content-Type, Content-Disposition, Content-Encoding, …) and bodies.
//
// Outcomes: gRPC status code, HTTP status + error code. Failures, each saved with its reproducing
// input to FUZZ_OUT (default a temp folder) and making the run exit 1:
// - crash: the node process exits;
// - hang: no final status / response by the deadline (FUZZ_DEADLINE_MS, default 5000) plus 2 s;
//   a DEADLINE_EXCEEDED answer is also a hang, except from PingReq, whose request asks the node to
//   wait up to 60 s for a third node (the documented way it answers);
// - unexpected 5xx: HTTP 5xx other than 503/504 (NOT_READY, UNAVAILABLE, INSUFFICIENT_REPLICAS,
//   SHUTTING_DOWN, DEADLINE_EXCEEDED), or gRPC INTERNAL / UNKNOWN other than grpc-js's own "Error
//   deserializing request" (malformed protobuf, answered before our code runs). DATA_LOSS is
//   CORRUPT_BLOCK (a block whose bytes do not hash to its CID), a documented refusal.
//
// Knobs: FUZZ_INPUTS (default 100000), FUZZ_SEED, FUZZ_CONCURRENCY (16), FUZZ_DEADLINE_MS,
// FUZZ_OUT; FUZZ_REPLAY=file[,file…] sends saved failing inputs to a fresh node. mTLS later: only grpcCredentials() and httpHeaders() below change.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { CONTENT_SERVICE } from '../libs/protocol/src/content/content-service.ts';
import { CONTENT_SAMPLES } from '../libs/protocol/src/content/content-test-messages.ts';
import { NODE_SERVICE } from '../libs/protocol/src/node/node-service.ts';
import { PEER_CODECS } from '../libs/protocol/src/peer-codec.ts';
import { ROUTING_SERVICE } from '../libs/protocol/src/routing/routing-service.ts';
import { SAMPLES as ROUTING_SAMPLES } from '../libs/protocol/src/routing/routing-test-messages.ts';
import { SEARCH_SERVICE } from '../libs/protocol/src/search/search-service.ts';
import { SEARCH_SAMPLES } from '../libs/protocol/src/search/search-test-messages.ts';
import { encodeBlockFrame } from '../libs/protocol/src/block-streams/block-frame.ts';
import { protobufMessage, wireInput, wireString } from '../libs/protocol/src/testing/wire-arbitraries.ts';
import { LocalPeers, type PeerProcess } from './local-peers.ts';
import { Identity, createClusterCa, issueNodeCertificate, privateKeyPem } from '@peerweave/identity';
import { createCredentials, TLS_SERVER_NAME } from '@peerweave/protocol';

// ----- credentials -------------------------------------------------------------------------------

/**
 * The fuzzed node's admission and the fuzzer's own: the node self-issues its certificate from a
 * fresh cluster CA (as Compose runs it), and the fuzzer holds a certificate of that CA for a key
 * of its own: an admitted but hostile peer over mutual TLS, whose claims to speak for other ids
 * are refused (PERMISSION_DENIED).
 */
interface Admission {
  /** PEERWEAVE_* of the node. */
  readonly env: Record<string, string>;
  /** The fuzzer's gRPC channel credentials and options. */
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

async function admission(dir: string): Promise<Admission> {
  const ca = await createClusterCa();
  writeFileSync(join(dir, 'cluster-ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'cluster-ca.key'), ca.keyPem, { mode: 0o600 });
  const fuzzer = Identity.generate();
  const tls = { caPem: ca.certPem, certPem: await issueNodeCertificate(ca, fuzzer), keyPem: privateKeyPem(fuzzer) };
  return {
    env: { PEERWEAVE_CLUSTER_CA: join(dir, 'cluster-ca.crt'), PEERWEAVE_CLUSTER_CA_KEY: join(dir, 'cluster-ca.key') },
    credentials: createCredentials({ tls }).channel,
    options: { 'grpc.ssl_target_name_override': TLS_SERVER_NAME },
  };
}

/** Headers every HTTP request carries (none today; a bearer token later). */
function httpHeaders(): Record<string, string> {
  return {};
}

// ----- inputs -------------------------------------------------------------------------------------

export type FuzzInput =
  | { kind: 'grpc'; path: string; stream: boolean; frames: string[] /* base64 */ }
  | { kind: 'http'; method: string; path: string; headers: Record<string, string>; body: string | null /* base64 */ };

interface GrpcMethod {
  path: string;
  stream: boolean;
  valid: Uint8Array[];
}

interface AnyMethod {
  path: string;
  requestStream: boolean;
  requestSerialize(m: unknown): Buffer;
}

const CID_V1 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';

function grpcMethods(): GrpcMethod[] {
  const samples: Record<string, { request: unknown }> = { ...ROUTING_SAMPLES, ...CONTENT_SAMPLES, ...SEARCH_SAMPLES };
  const out: GrpcMethod[] = [];
  for (const service of [ROUTING_SERVICE, CONTENT_SERVICE, SEARCH_SERVICE, NODE_SERVICE]) {
    const definition = service.definition() as unknown as Record<string, AnyMethod>;
    const byRpc = new Map(Object.entries(service.rpcNames as Record<string, string>).map(([m, rpc]) => [rpc, m]));
    for (const [rpc, method] of Object.entries(definition)) {
      const valid: Uint8Array[] = [];
      const domain = byRpc.get(rpc);
      const codec = domain === undefined ? undefined : (PEER_CODECS as Record<string, { encodeRequest(r: unknown): unknown }>)[domain];
      if (codec !== undefined && samples[domain!] !== undefined) valid.push(method.requestSerialize(codec.encodeRequest(samples[domain!]!.request)));
      if (rpc === 'GetBlocks' || rpc === 'PutBlocks') valid.push(encodeBlockFrame({ cid: CID_V1, data: Buffer.from('hello'), roots: [CID_V1] }));
      if (rpc === 'PingStream') {
        const ping = (ROUTING_SERVICE.definition() as unknown as Record<string, AnyMethod>)['Ping']!.requestSerialize(PEER_CODECS.ping.encodeRequest(ROUTING_SAMPLES.ping.request));
        valid.push(frame([[1, 1n], [2, 2000n]], [[3, ping]]));
      }
      if (rpc === 'Calls') {
        const getBlock = (CONTENT_SERVICE.definition() as unknown as Record<string, AnyMethod>)['GetBlock']!.requestSerialize({ cid: CID_V1 });
        valid.push(frame([[1, 7n], [4, 2000n]], [[2, Buffer.from('GetBlock')], [3, getBlock]]));
      }
      out.push({ path: method.path, stream: method.requestStream, valid });
    }
  }
  return out;
}

/** A protobuf message of varint and bytes fields (enough for the stream frames' samples). */
function frame(varints: [number, bigint][], bytes: [number, Uint8Array][]): Uint8Array {
  const out: number[] = [];
  const v = (x: bigint): void => {
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
  };
  for (const [no, x] of varints) {
    v(BigInt(no << 3));
    v(x);
  }
  for (const [no, b] of bytes) {
    v(BigInt((no << 3) | 2));
    v(BigInt(b.length));
    out.push(...b);
  }
  return Uint8Array.from(out);
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

function grpcInput(methods: GrpcMethod[]): fc.Arbitrary<FuzzInput> {
  return fc.constantFrom(...methods).chain((m) =>
    (m.stream ? fc.array(wireInput(m.valid), { minLength: 0, maxLength: 4 }) : wireInput(m.valid).map((b) => [b])).map(
      (frames): FuzzInput => ({ kind: 'grpc', path: m.path, stream: m.stream, frames: frames.map(b64) }),
    ),
  );
}

/** Characters undici sends as they are in a header value (no CR, LF, NUL). */
const headerValue = fc.oneof(
  wireString.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
  fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-', 'bytes=0-1,2-3', 'bytes=99999999999999999999-', 'items=0-1', '*', '"x"', 'W/"x"', 'application/vnd.ipld.raw', 'application/vnd.ipld.car', 'text/html', '*/*;q=0', 'gzip', 'br', 'identity', 'deflate', "attachment; filename*=utf-8''%E2%82%AC.txt", 'attachment; filename="../../etc/passwd"', 'application/json', 'multipart/form-data; boundary=x'),
);

const HEADER_NAMES = ['range', 'accept', 'if-none-match', 'if-range', 'content-type', 'content-disposition', 'content-encoding', 'x-peerweave-name', 'x-peerweave-keywords', 'accept-encoding', 'authorization', 'x-forwarded-for'];

function segment(validCid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(validCid),
    fc.constantFrom(CID_V1, 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', '', '..', '%00', '%ff', 'a'.repeat(300)),
    wireString.map((s) => encodeURIComponent(s)),
    fc.string({ maxLength: 12 }).map((s) => s.replace(/[^A-Za-z0-9._~%-]/g, '')),
  );
}

function httpInput(routes: { path: string; methods: string[] }[], validCid: string): fc.Arbitrary<FuzzInput> {
  const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'M-SEARCH') });
  const route = fc.constantFrom(...routes);
  const path = fc.tuple(route, segment(validCid), fc.option(fc.array(segment(validCid), { maxLength: 2 }), { nil: undefined })).map(([r, seg, extra]) => {
    const p = r.path.replace(/\{[^}]+\}/g, seg);
    return extra === undefined ? p : `${p}/${extra.join('/')}`;
  });
  const queryKey = fc.oneof(fc.constantFrom('name', 'type', 'keywords', 'format', 'q', 'limit', 'ttl', 'count', 'key', 'level', 'filename', 'download'), fc.string({ maxLength: 6 }));
  const query = fc.array(fc.tuple(queryKey, fc.oneof(headerValue, fc.integer().map(String))), { maxLength: 4 }).map((pairs) =>
    pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
  );
  const headers = fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 4 });
  const body = fc.option(
    fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      protobufMessage,
      fc.json().map((s) => new TextEncoder().encode(s)),
      fc.constantFrom('{"level":"info"}', '{"level":"nope"}', '{}', '[]', 'null', '{"level":').map((s) => new TextEncoder().encode(s)),
    ),
    { nil: null },
  );
  return fc.tuple(method, path, query, headers, body).map(([m, p, q, h, b]): FuzzInput => ({ kind: 'http', method: m, path: p + q, headers: h, body: b === null ? null : b64(b) }));
}

// ----- sending --------------------------------------------------------------------------------------

interface Outcome {
  /** e.g. `grpc INVALID_ARGUMENT`, `http 400 INVALID_CID` */
  label: string;
  failure?: 'hang' | 'unexpected 5xx';
}

const DOCUMENTED_5XX = new Set(['503', '504']);
const identity = (b: Buffer): Buffer => b;

function sendGrpc(client: grpc.Client, input: Extract<FuzzInput, { kind: 'grpc' }>, deadlineMs: number): Promise<Outcome> {
  return new Promise((done) => {
    const deadline = new Date(Date.now() + deadlineMs);
    const frames = input.frames.map((f) => Buffer.from(f, 'base64'));
    const finish = (status: grpc.StatusObject | grpc.ServiceError | null): void => {
      clearTimeout(guard);
      const code = status?.code ?? grpc.status.OK;
      const name = grpc.status[code] ?? String(code);
      const label = `grpc ${name}`;
      if (code === grpc.status.DEADLINE_EXCEEDED && !input.path.endsWith('/PingReq')) return done({ label, failure: 'hang' });
      const internal = code === grpc.status.INTERNAL || code === grpc.status.UNKNOWN;
      if (internal && !String(status?.details ?? '').startsWith('Error deserializing request')) return done({ label, failure: 'unexpected 5xx' });
      done({ label: internal ? `${label} (malformed protobuf)` : label });
    };
    const guard = setTimeout(() => {
      done({ label: 'grpc no answer', failure: 'hang' });
      call.cancel();
    }, deadlineMs + 2_000);
    let call: grpc.ClientUnaryCall | grpc.ClientDuplexStream<Buffer, Buffer>;
    if (!input.stream) {
      call = client.makeUnaryRequest<Buffer, Buffer>(input.path, identity, identity, frames[0] ?? Buffer.alloc(0), new grpc.Metadata(), { deadline }, (err) => finish(err));
    } else {
      const stream = client.makeBidiStreamRequest<Buffer, Buffer>(input.path, identity, identity, new grpc.Metadata(), { deadline });
      call = stream;
      stream.on('data', () => undefined);
      stream.on('error', () => undefined);
      stream.on('status', (s: grpc.StatusObject) => finish(s));
      for (const f of frames) stream.write(f);
      stream.end();
    }
  });
}

async function sendHttp(agent: Agent, base: string, input: Extract<FuzzInput, { kind: 'http' }>, deadlineMs: number): Promise<Outcome> {
  try {
    const res = await request(`${base}${input.path}`, {
      dispatcher: agent,
      method: input.method as 'GET',
      headers: { ...input.headers, ...httpHeaders() },
      body: input.body === null || input.method === 'GET' || input.method === 'HEAD' ? null : Buffer.from(input.body, 'base64'),
      signal: AbortSignal.timeout(deadlineMs + 2_000),
      headersTimeout: deadlineMs + 2_000,
      bodyTimeout: deadlineMs + 2_000,
    });
    const text = await res.body.text();
    let code = '';
    if ((res.headers['content-type'] ?? '').toString().includes('json')) {
      try {
        const parsed = JSON.parse(text) as { code?: unknown; error?: { code?: unknown } };
        code = String(parsed.error?.code ?? parsed.code ?? '');
      } catch {
        code = '';
      }
    }
    const label = `http ${res.statusCode}${code === '' || code === 'undefined' ? (input.method === 'HEAD' ? ' (HEAD: no body)' : '') : ` ${code}`}`;
    if (res.statusCode >= 500 && !DOCUMENTED_5XX.has(String(res.statusCode))) return { label, failure: 'unexpected 5xx' };
    return { label };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'HeadersTimeoutError' || name === 'BodyTimeoutError' || name === 'AbortError') return { label: 'http no answer', failure: 'hang' };
    // undici refused to send it (an invalid header or path): not an input the node saw.
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG' || err instanceof TypeError) return { label: 'http not sent (client refused)' };
    return { label: `http transport ${(err as { code?: string }).code ?? name}` };
  }
}

// ----- the run ----------------------------------------------------------------------------------------

export interface FuzzOptions {
  inputs: number;
  seed: number;
  concurrency: number;
  deadlineMs: number;
  /** Where failures are saved. */
  outDir: string;
  bundle: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ProcessSample {
  rssMiB: number;
  cpuSeconds: number;
}

export interface FuzzReport {
  inputs: number;
  grpcInputs: number;
  httpInputs: number;
  seconds: number;
  perSecond: number;
  outcomes: Record<string, number>;
  before: ProcessSample;
  after: ProcessSample;
  crashes: number;
  hangs: number;
  unexpected5xx: number;
  /** Files holding the reproducing input of each failure (at most 20 kept). */
  failureFiles: string[];
}

function sample(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: Math.round((rssKiB / 1024) * 10) / 10, cpuSeconds: Math.round((ticks / 100) * 100) / 100 };
}

/**
 * One node alone: writes need only its own copy, so a fuzzed upload is not refused for want of
 * replicas. Rate limits off: from one address at full speed the fuzzer would spend inputs on 429s
 * instead of the routes (the limiter has its own specs in libs/http-api).
 */
const NODE_ENV = {
  PEERWEAVE_PRESET: 'local',
  PEERWEAVE_REPLICATION_FACTOR: '1',
  PEERWEAVE_WRITE_QUORUM: '1',
  PEERWEAVE_LOG_LEVEL: 'warn',
  PEERWEAVE_HTTP_RATE_READS: '0',
  PEERWEAVE_HTTP_RATE_WRITES: '0',
};

const alive = (p: PeerProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;

/** Starts one node from the bundle, fuzzes it, stops it. Never throws for a failure it finds. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.outDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'pw-fuzz-'));
  const admitted = await admission(dir);
  const peers = new LocalPeers({
    bundle: options.bundle,
    dir,
    env: { ...NODE_ENV, ...admitted.env },
    safetyMs: 30 * 60_000,
  });
  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  let client: grpc.Client | undefined;
  try {
    const node = await peers.start('fuzz', []);
    client = new grpc.Client(node.grpc, admitted.credentials, { ...admitted.options, 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    // One stored object, so CIDs the node holds are in the mix.
    const put = await request(`${node.url}/v1/objects?name=fuzz.txt`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'text/plain', ...httpHeaders() }, body: 'fuzz seed object' });
    const validCid = ((await put.body.json()) as { cid?: string }).cid ?? CID_V1;
    const doc = (await peers.json<{ paths: Record<string, Record<string, unknown>> }>(node, '/openapi.json'));
    const routes = [...Object.entries(doc.paths).map(([path, ops]) => ({ path, methods: Object.keys(ops) })), { path: '/', methods: ['get'] }, { path: '/v1/nothing-here', methods: [] }];
    const methods = grpcMethods();
    log(`node ${node.name} pid ${node.pid} (${options.bundle}); ${methods.length} gRPC methods, ${routes.length} HTTP routes; seed ${options.seed}`);

    const arbitrary = fc.oneof(grpcInput(methods), httpInput(routes, validCid));
    const outcomes = new Map<string, number>();
    /** The first input of each outcome, written to FUZZ_OUT/examples.json. */
    const examples: Record<string, FuzzInput> = {};
    const report: FuzzReport = {
      inputs: 0, grpcInputs: 0, httpInputs: 0, seconds: 0, perSecond: 0, outcomes: {},
      before: sample(node.pid), after: { rssMiB: 0, cpuSeconds: 0 }, crashes: 0, hangs: 0, unexpected5xx: 0, failureFiles: [],
    };
    const save = (kind: string, input: FuzzInput, outcome: string): void => {
      if (report.failureFiles.length >= 20) return;
      const file = join(options.outDir, `fuzz-${kind.replace(/\W+/g, '-')}-${report.failureFiles.length + 1}.json`);
      writeFileSync(file, `${JSON.stringify({ kind, outcome, seed: options.seed, input }, null, 2)}\n`);
      report.failureFiles.push(file);
    };
    const started = performance.now();
    const BATCH = 1000;
    let lastLog = started;
    for (let batch = 0; report.inputs < options.inputs && report.crashes === 0; batch++) {
      const inputs = fc.sample(arbitrary, { numRuns: Math.min(BATCH, options.inputs - report.inputs), seed: options.seed + batch });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < inputs.length && alive(node)) {
          const input = inputs[next++]!;
          const outcome = input.kind === 'grpc' ? await sendGrpc(client!, input, options.deadlineMs) : await sendHttp(agent, node.url, input, options.deadlineMs);
          report.inputs++;
          if (input.kind === 'grpc') report.grpcInputs++;
          else report.httpInputs++;
          if (!outcomes.has(outcome.label)) examples[outcome.label] = input;
          outcomes.set(outcome.label, (outcomes.get(outcome.label) ?? 0) + 1);
          if (outcome.failure === 'hang') report.hangs++;
          if (outcome.failure === 'unexpected 5xx') report.unexpected5xx++;
          if (outcome.failure !== undefined) save(outcome.failure, input, outcome.label);
          if (!alive(node)) {
            report.crashes++;
            save('crash', input, `node exited (${node.child.exitCode ?? node.child.signalCode}): ${peers.tail(node, 2000)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      if (performance.now() - lastLog > 5_000) {
        lastLog = performance.now();
        log(`  ${report.inputs} inputs, ${Math.round(report.inputs / ((lastLog - started) / 1000))}/s, crashes ${report.crashes}, hangs ${report.hangs}, unexpected 5xx ${report.unexpected5xx}, node RSS ${alive(node) ? sample(node.pid).rssMiB : '-'} MiB`);
      }
    }
    report.seconds = Math.round((performance.now() - started) / 100) / 10;
    report.perSecond = Math.round(report.inputs / report.seconds);
    if (alive(node)) {
      // Still answering after the run: a node that stopped serving counts as crashed.
      const health = await request(`${node.url}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(5_000) }).then((r) => r.body.text().then(() => r.statusCode)).catch(() => 0);
      if (health !== 200) report.crashes++;
      report.after = sample(node.pid);
    }
    report.outcomes = Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1]));
    writeFileSync(join(options.outDir, 'examples.json'), `${JSON.stringify(examples, null, 2)}\n`);
    return report;
  } finally {
    client?.close();
    await agent.close().catch(() => undefined);
    await peers.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatReport(r: FuzzReport): string {
  const lines = [
    `inputs: ${r.inputs} (gRPC ${r.grpcInputs}, HTTP ${r.httpInputs}) in ${r.seconds} s = ${r.perSecond} inputs/s`,
    `node RSS: ${r.before.rssMiB} MiB before, ${r.after.rssMiB} MiB after; node CPU: ${r.before.cpuSeconds} s before, ${r.after.cpuSeconds} s after`,
    'outcomes:',
    ...Object.entries(r.outcomes).map(([k, n]) => `  ${k.padEnd(48)} ${n}`),
    `crashes: ${r.crashes}, hangs (no answer within the deadline): ${r.hangs}, 5xx other than documented ones: ${r.unexpected5xx}`,
  ];
  if (r.failureFiles.length > 0) lines.push(`reproducing inputs: ${r.failureFiles.join(' ')}`);
  return lines.join('\n');
}

function intEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Sends the inputs of saved failure files (FUZZ_REPLAY=file[,file…]) to a fresh node, one at a time. */
export async function replay(files: readonly string[], bundle: string, deadlineMs: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-fuzz-'));
  const admitted = await admission(dir);
  const peers = new LocalPeers({ bundle, dir, env: { ...NODE_ENV, ...admitted.env }, safetyMs: 10 * 60_000 });
  const agent = new Agent({ connections: 1 });
  const out: string[] = [];
  let client: grpc.Client | undefined;
  try {
    const node = await peers.start('replay', []);
    client = new grpc.Client(node.grpc, admitted.credentials, admitted.options);
    for (const file of files) {
      const { input } = JSON.parse(readFileSync(file, 'utf8')) as { input: FuzzInput };
      const outcome = input.kind === 'grpc' ? await sendGrpc(client, input, deadlineMs) : await sendHttp(agent, node.url, input, deadlineMs);
      out.push(`${file}: ${outcome.label}${outcome.failure === undefined ? '' : ` (${outcome.failure})`}${alive(node) ? '' : ' (node exited)'}`);
    }
    return out;
  } finally {
    client?.close();
    await agent.close().catch(() => undefined);
    await peers.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const replayFiles = process.env['FUZZ_REPLAY'];
  if (replayFiles !== undefined && replayFiles !== '') {
    const lines = await replay(replayFiles.split(','), join(root, 'dist', 'lib', 'peer', 'main.mjs'), intEnv('FUZZ_DEADLINE_MS', 5_000));
    for (const line of lines) console.log(line);
    if (lines.some((l) => l.endsWith(')'))) process.exitCode = 1;
    return;
  }
  const seed = intEnv('FUZZ_SEED', Date.now() % 2 ** 31);
  const report = await runFuzz({
    inputs: intEnv('FUZZ_INPUTS', 100_000),
    seed,
    concurrency: intEnv('FUZZ_CONCURRENCY', 16),
    deadlineMs: intEnv('FUZZ_DEADLINE_MS', 5_000),
    outDir: process.env['FUZZ_OUT'] ?? mkdtempSync(join(tmpdir(), 'pw-fuzz-out-')),
    bundle: join(root, 'dist', 'lib', 'peer', 'main.mjs'),
    log: (line) => console.log(line),
  });
  console.log(formatReport(report));
  if (report.crashes + report.hangs + report.unexpected5xx > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
