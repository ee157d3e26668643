// Helpers for this lib's specs only; not part of the public API.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client as GrpcClient, credentials, loadPackageDefinition, Metadata, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type { TestContext } from 'node:test';
import { loadSync } from '@grpc/proto-loader';
import { PeerweaveError, type ErrorCode, type Logger } from '@peerweave/core';
import { GrpcServer, type GrpcServerInit } from './transport/grpc-server.ts';
import { PROTO_LOADER_OPTIONS } from './loader-options.ts';
import type { ServiceBinding } from './service-binding.ts';

/** A promise with its resolve function outside (Promise.withResolvers is beyond our es2023 lib). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface LogEntry {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A Logger that keeps every entry, to assert on what was (and was not) logged. */
export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const at =
    (level: string) =>
    (objOrMsg: Record<string, unknown> | string, msg?: string): void => {
      if (typeof objOrMsg === 'string') entries.push({ level, obj: {}, msg: objOrMsg });
      else entries.push({ level, obj: objOrMsg, msg });
    };
  const logger = {
    entries,
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: () => logger,
  };
  return logger;
}

/** A started GrpcServer on 127.0.0.1, a free port, carrying `bindings`. */
export async function startTestServer(
  bindings: ServiceBinding[],
  init: Partial<GrpcServerInit> = {},
): Promise<GrpcServer> {
  const server = new GrpcServer({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 1024 * 1024,
    keepaliveMs: 10_000,
    ...init,
  });
  for (const b of bindings) server.addService(b);
  await server.start();
  return server;
}

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  errorResponse?: { errorMessage: string };
}
type ReflectionClient = Client & {
  ServerReflectionInfo(): ClientDuplexStream<{ listServices: string }, ReflectionResponse>;
};

/** The service names the server lists through gRPC server reflection v1. */
export async function listServicesByReflection(address: string): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const root = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
  const definition = loadSync('grpc/reflection/v1/reflection.proto', { ...PROTO_LOADER_OPTIONS, includeDirs: [root] });
  const pkg = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (address: string, creds: unknown) => ReflectionClient } } };
  };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (response: ReflectionResponse) => {
        if (response.listServicesResponse !== undefined) resolve(response.listServicesResponse.service.map((s) => s.name));
        else reject(new Error(response.errorResponse?.errorMessage ?? 'unexpected reflection response'));
        call.end();
      });
      call.on('error', reject);
      call.write({ listServices: '' });
    });
  } finally {
    client.close();
  }
}

/**
 * Asserts that `promise` rejects with a PeerweaveError of `code` (and, when given, a message equal
 * to the string or matching the pattern): what every client of the protocol sees of a failure.
 */
export function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode, message?: string | RegExp): Promise<void> {
  return assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PeerweaveError, `expected a PeerweaveError, got ${String(err)}`);
    assert.equal(err.code, code, `code of "${err.message}"`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

/**
 * A raw bidi stream of `method` to `address`, to send what our clients never would; `next()` is
 * the next frame received. Cancelled and closed when the test ends.
 */
export function rawBidiStream<In>(t: TestContext, address: string, method: MethodDefinition<unknown, unknown, unknown, unknown>): { call: ClientDuplexStream<unknown, In>; next: () => Promise<In> } {
  const client = new GrpcClient(address, credentials.createInsecure());
  const call = client.makeBidiStreamRequest(method.path, method.requestSerialize as (m: unknown) => Buffer, method.responseDeserialize as (b: Buffer) => In, new Metadata());
  call.on('error', () => {});
  t.after(() => {
    call.cancel();
    client.close();
  });
  const frames: In[] = [];
  const waiters: ((f: In) => void)[] = [];
  call.on('data', (f: In) => {
    const w = waiters.shift();
    if (w) w(f);
    else frames.push(f);
  });
  return { call, next: () => (frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise((resolve) => waiters.push(resolve))) };
}
