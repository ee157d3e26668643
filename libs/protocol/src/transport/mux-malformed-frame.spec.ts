// A regression found by `npm run fuzz` (issue #15 item 4): on the Calls and PingStream streams, a
// frame that is not protobuf after frames still being answered left the caller without any status
// until its deadline (grpc-js ended the call INTERNAL on the bad frame, then the handler's answer
// was written after that status). Now the stream ends INVALID_ARGUMENT at once.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, credentials, Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { CONTENT_SERVICE, contentServiceBinding } from '../content/content-service.ts';
import { CONTENT_SAMPLES, sampleContentHandler } from '../content/content-test-messages.ts';
import { PEER_CODECS } from '../peer-codec.ts';
import { ROUTING_SERVICE, routingServiceBinding } from '../routing/routing-service.ts';
import { SAMPLES, sampleHandler } from '../routing/routing-test-messages.ts';
import { startTestServer } from '../test-support.ts';
import type { GrpcServer } from './grpc-server.ts';

interface RawMethod {
  path: string;
  requestSerialize(m: unknown): Buffer;
}

/** Released when the suite ends: until then later calls stay in flight. */
let releaseHeld: () => void = () => undefined;
const held = new Promise<void>((resolve) => (releaseHeld = resolve));

/** Answers the first call at once (so the stream's headers are out); later ones stay in flight until the suite ends. */
function firstFastThenHeld<T>(value: T): () => Promise<T> {
  let calls = 0;
  return () => (calls++ === 0 ? Promise.resolve(value) : held.then(() => value));
}

/** Sends raw frames on a bidi stream, half-closes, and resolves with the final status and when it came. */
function rawFrames(t: TestContext, address: string, path: string, frames: Buffer[]): Promise<{ status: StatusObject; ms: number }> {
  const client = new Client(address, credentials.createInsecure());
  t.after(() => client.close());
  const id = (b: Buffer): Buffer => b;
  const started = Date.now();
  const call = client.makeBidiStreamRequest(path, id, id, new Metadata(), { deadline: Date.now() + 5_000 });
  call.on('data', () => undefined);
  call.on('error', () => undefined);
  return new Promise((resolve) => {
    call.on('status', (status: StatusObject) => resolve({ status, ms: Date.now() - started }));
    for (const f of frames) call.write(f);
    call.end();
  });
}

/** A protobuf message of varint (number) and length-delimited (Buffer) fields. */
function frame(fields: [number, number | Buffer][]): Buffer {
  const out: number[] = [];
  const varint = (n: number): void => {
    for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
    out.push(n);
  };
  for (const [no, v] of fields) {
    varint(typeof v === 'number' ? no << 3 : (no << 3) | 2);
    if (typeof v === 'number') varint(v);
    else {
      varint(v.length);
      out.push(...v);
    }
  }
  return Buffer.from(out);
}

const NOT_PROTOBUF = Buffer.from([0x5a, 0xca]);

describe('mux streams: a malformed frame after frames in flight', () => {
  let server: GrpcServer;
  before(async () => {
    const content = sampleContentHandler();
    content.getBlock = firstFastThenHeld(CONTENT_SAMPLES.getBlock.response);
    const routing = sampleHandler();
    routing.ping = firstFastThenHeld(SAMPLES.ping.response);
    server = await startTestServer([contentServiceBinding(content), routingServiceBinding(routing)]);
  });
  after(async () => {
    releaseHeld();
    await server?.stop({ graceMs: 1_000 });
  });

  it('Calls: ends the stream INVALID_ARGUMENT at once instead of never answering', async (t) => {
    const getBlock = (CONTENT_SERVICE.definition() as unknown as Record<string, RawMethod>)['GetBlock']!;
    const request = getBlock.requestSerialize(PEER_CODECS.getBlock.encodeRequest(CONTENT_SAMPLES.getBlock.request));
    const call = frame([[1, 7], [2, Buffer.from('GetBlock')], [3, request], [4, 100]]);
    const { status, ms } = await rawFrames(t, server.address, '/peerweave.content.v1.ContentService/Calls', [call, call, NOT_PROTOBUF]);
    assert.equal(status.code, Status.INVALID_ARGUMENT, status.details);
    assert.match(status.details, /malformed CallFrame frame/);
    assert.ok(ms < 2_000, `answered after ${ms} ms`);
  });

  it('PingStream: likewise', async (t) => {
    const ping = (ROUTING_SERVICE.definition() as unknown as Record<string, RawMethod>)['Ping']!;
    const request = ping.requestSerialize(PEER_CODECS.ping.encodeRequest(SAMPLES.ping.request));
    const call = frame([[1, 1], [2, request], [3, 100]]);
    const { status, ms } = await rawFrames(t, server.address, '/peerweave.routing.v1.PeerService/PingStream', [call, call, NOT_PROTOBUF]);
    assert.equal(status.code, Status.INVALID_ARGUMENT, status.details);
    assert.ok(ms < 2_000, `answered after ${ms} ms`);
  });
});
