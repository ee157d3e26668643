// Property test of the mux streams' server side (issue #15 item 4): any sequence of Calls or
// PingStream frames (well-formed with any seq, method, timeout and request bytes, or bytes that
// are not protobuf)
// gets a final status promptly, OK or INVALID_ARGUMENT, never a hang or INTERNAL; on OK every
// frame got exactly one reply carrying its seq. Knobs: FC_NUM_RUNS, FC_SEED.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import fc from 'fast-check';
import { propertyParams } from '@peerweave/core/testing';
import { CONTENT_SERVICE, contentServiceBinding } from '../content/content-service.ts';
import { CONTENT_SAMPLES, sampleContentHandler } from '../content/content-test-messages.ts';
import { PEER_CODECS } from '../peer-codec.ts';
import { ROUTING_SERVICE, routingServiceBinding } from '../routing/routing-service.ts';
import { SAMPLES, sampleHandler } from '../routing/routing-test-messages.ts';
import { startTestServer } from '../test-support.ts';
import { wireInput } from '../testing/wire-arbitraries.ts';
import type { GrpcServer } from './grpc-server.ts';

interface RawMethod {
  requestSerialize(m: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseDeserialize(b: Buffer): unknown;
}

const definition = CONTENT_SERVICE.definition() as unknown as Record<string, RawMethod>;
const calls = definition['Calls']!;
const RPCS = Object.values(CONTENT_SERVICE.rpcNames as Record<string, string>);
const valid = Object.entries(CONTENT_SERVICE.rpcNames as Record<string, string>).map(([m, rpc]) =>
  definition[rpc]!.requestSerialize((PEER_CODECS as unknown as Record<string, { encodeRequest(r: unknown): unknown }>)[m]!.encodeRequest((CONTENT_SAMPLES as Record<string, { request: unknown }>)[m]!.request)),
);

const pingRequest = (ROUTING_SERVICE.definition() as unknown as Record<string, RawMethod>)['Ping']!.requestSerialize(PEER_CODECS.ping.encodeRequest(SAMPLES.ping.request));

const pingStream = (ROUTING_SERVICE.definition() as unknown as Record<string, RawMethod>)['PingStream']!;

/** A PingFrame by hand (seq = 1, ping = 2, timeout_ms = 3), so that the ping can be any bytes. */
function pingFrame(seq: number, ping: Uint8Array, timeoutMs: number): Buffer {
  const out: number[] = [];
  const varint = (n: number): void => {
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
    out.push(n);
  };
  varint(1 << 3);
  varint(seq);
  varint((2 << 3) | 2);
  varint(ping.length);
  out.push(...ping);
  varint(3 << 3);
  varint(timeoutMs);
  return Buffer.from(out);
}

type Frame = { wellFormed: true; seq: number; bytes: Buffer } | { wellFormed: false; bytes: Buffer };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ seq: fc.nat({ max: 2 ** 32 - 1 }), method: fc.oneof(fc.constantFrom(...RPCS), fc.string({ maxLength: 12 })), request: wireInput(valid), timeoutMs: fc.oneof(fc.constant(0), fc.nat({ max: 2_000 }), fc.constant(2 ** 32 - 1)) }).map(
    (f): Frame => ({ wellFormed: true, seq: f.seq, bytes: calls.requestSerialize({ seq: f.seq, method: f.method, request: Buffer.from(f.request), timeoutMs: f.timeoutMs }) }),
  ) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0x5a, 0xca]), Buffer.from([0x0a, 0xff]), Buffer.from([0x08])).map((bytes): Frame => ({ wellFormed: false, bytes })) },
);

const pingFrameArb: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ seq: fc.nat({ max: 2 ** 32 - 1 }), ping: wireInput([pingRequest]), timeoutMs: fc.oneof(fc.constant(0), fc.nat({ max: 2_000 }), fc.constant(2 ** 32 - 1)) }).map(
    (f): Frame => {
      // The ping is a nested message: bytes that are not protobuf make the whole frame malformed.
      const bytes = pingFrame(f.seq, f.ping, f.timeoutMs);
      return pingStream.requestDeserialize(bytes) instanceof Error ? { wellFormed: false, bytes } : { wellFormed: true, seq: f.seq, bytes };
    },
  ) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0x5a, 0xca]), Buffer.from([0x12, 0xff]), Buffer.from([0x08])).map((bytes): Frame => ({ wellFormed: false, bytes })) },
);

describe('mux stream servers (property)', () => {
  let server: GrpcServer;
  let client: Client;
  before(async () => {
    server = await startTestServer([contentServiceBinding(sampleContentHandler()), routingServiceBinding(sampleHandler())]);
    client = new Client(server.address, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    await server?.stop({ graceMs: 1_000 });
  });

  const streams = [
    { name: 'Calls', path: '/peerweave.content.v1.ContentService/Calls', frames: frame, replySeq: (b: Buffer) => (calls.responseDeserialize(b) as { seq: number }).seq },
    { name: 'PingStream', path: '/peerweave.routing.v1.PeerService/PingStream', frames: pingFrameArb, replySeq: (b: Buffer) => ((ROUTING_SERVICE.definition() as unknown as Record<string, RawMethod>)['PingStream']!.responseDeserialize(b) as { seq: number }).seq },
  ];
  for (const stream of streams) {
    it(`${stream.name}: any frames get a prompt OK or INVALID_ARGUMENT, and on OK one reply per frame with its seq`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stream.frames, { maxLength: 6 }), async (frames) => {
          const id = (b: Buffer): Buffer => b;
          const call = client.makeBidiStreamRequest(stream.path, id, id, new Metadata(), { deadline: Date.now() + 5_000 });
          const replies: number[] = [];
          call.on('data', (b: Buffer) => replies.push(stream.replySeq(b)));
          call.on('error', () => undefined);
          const status = await new Promise<StatusObject>((resolve) => {
            call.on('status', resolve);
            for (const f of frames) call.write(f.bytes);
            call.end();
          });
          const malformed = frames.some((f) => !f.wellFormed);
          assert.ok(status.code === Status.OK || (malformed && status.code === Status.INVALID_ARGUMENT), `${Status[status.code]}: ${status.details}`);
          if (status.code === Status.OK) {
            const sent = frames.flatMap((f) => (f.wellFormed ? [f.seq >>> 0] : [])).sort();
            assert.deepStrictEqual([...replies].sort(), sent);
          }
        }),
        propertyParams(100),
      );
    });
  }
});
