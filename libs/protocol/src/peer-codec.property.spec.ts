// Property tests of every peer-protocol decoder (issue #15 item 4): for every unary method of every
// service, request and response, any bytes either decode to a value that survives a round trip
// (encode → serialize → deserialize → decode gives it back) or are refused with a PeerweaveError
// of a stable code; protobufjs may refuse malformed wire bytes first (grpc-js answers those itself).
// Block frames (hand-written wire format) and the frames of the multiplexed streams likewise.
// Knobs: FC_NUM_RUNS, FC_SEED (see testing/wire-arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES, PeerweaveError } from '@peerweave/core';
import { decodeBlockFrame, encodeBlockFrame } from './block-streams/block-frame.ts';
import { CONTENT_SERVICE } from './content/content-service.ts';
import { CONTENT_SAMPLES } from './content/content-test-messages.ts';
import { NODE_CODECS } from './node/node-codec.ts';
import { NODE_SERVICE } from './node/node-service.ts';
import { fromNodeInfoMessage } from './node/node-codec.ts';
import { PEER_CODECS } from './peer-codec.ts';
import { ROUTING_SERVICE } from './routing/routing-service.ts';
import { SAMPLES as ROUTING_SAMPLES } from './routing/routing-test-messages.ts';
import { SEARCH_SERVICE } from './search/search-service.ts';
import { SEARCH_SAMPLES } from './search/search-test-messages.ts';
import { propertyParams, wireInput } from './testing/wire-arbitraries.ts';

interface AnyCodec {
  encodeRequest(r: unknown): unknown;
  decodeRequest(m: unknown): unknown;
  encodeResponse(r: unknown): unknown;
  decodeResponse(m: unknown): unknown;
}
interface AnyMethod {
  requestSerialize(m: unknown): Buffer;
  requestDeserialize(b: Buffer): unknown;
  responseSerialize(m: unknown): Buffer;
  responseDeserialize(b: Buffer): unknown;
}

const SAMPLES: Record<string, { request: unknown; response: unknown }> = { ...ROUTING_SAMPLES, ...CONTENT_SAMPLES, ...SEARCH_SAMPLES };
const CODES = new Set<string>(ERROR_CODES);

/** Runs `decode`; a refusal must be a PeerweaveError with a stable code. Returns the value or undefined. */
function decodeOrRefuse(decode: () => unknown): { value: unknown } | undefined {
  try {
    return { value: decode() };
  } catch (err) {
    assert.ok(err instanceof PeerweaveError, `refused with ${String(err)} (${(err as Error)?.constructor?.name}), not a PeerweaveError`);
    assert.ok(CODES.has(err.code), `unstable code ${err.code}`);
    return undefined;
  }
}

/** protobufjs refusing malformed wire bytes: an Error (grpc-js answers it), never anything else. */
function deserialize(fn: (b: Buffer) => unknown, bytes: Uint8Array): { message: unknown } | undefined {
  try {
    return { message: fn(Buffer.from(bytes)) };
  } catch (err) {
    assert.ok(err instanceof Error, `deserializer threw a non-Error: ${String(err)}`);
    return undefined;
  }
}

const services = [ROUTING_SERVICE, CONTENT_SERVICE, SEARCH_SERVICE] as const;

describe('peer-protocol codecs (property)', () => {
  for (const service of services) {
    const definition = service.definition() as unknown as Record<string, AnyMethod>;
    for (const [method, rpc] of Object.entries(service.rpcNames) as [string, string][]) {
      const codec = PEER_CODECS[method as keyof typeof PEER_CODECS] as unknown as AnyCodec;
      const wire = definition[rpc]!;
      const sample = SAMPLES[method]!;
      for (const side of ['request', 'response'] as const) {
        const encode = side === 'request' ? codec.encodeRequest : codec.encodeResponse;
        const decode = side === 'request' ? codec.decodeRequest : codec.decodeResponse;
        const serialize = side === 'request' ? wire.requestSerialize : wire.responseSerialize;
        const deser = side === 'request' ? wire.requestDeserialize : wire.responseDeserialize;
        const valid = serialize(encode(sample[side]));

        it(`${rpc} ${side}: any bytes decode to a value that round-trips, or are refused with a stable code`, () => {
          fc.assert(
            fc.property(wireInput([valid]), (bytes) => {
              const message = deserialize(deser, bytes);
              if (message === undefined) return;
              const decoded = decodeOrRefuse(() => decode(message.message));
              if (decoded === undefined) return;
              const again = decode(deser(serialize(encode(decoded.value))));
              assert.deepStrictEqual(again, decoded.value);
            }),
            propertyParams(300),
          );
        });
      }
    }
  }

  it('NodeService GetInfo: any request or response bytes decode or are refused with a stable code', () => {
    const wire = (NODE_SERVICE.definition() as unknown as Record<string, AnyMethod>)['GetInfo']!;
    fc.assert(
      fc.property(wireInput(), fc.boolean(), (bytes, request) => {
        const message = deserialize(request ? wire.requestDeserialize : wire.responseDeserialize, bytes);
        if (message === undefined) return;
        decodeOrRefuse(() => (request ? NODE_CODECS.getInfo.decodeRequest(message.message as never) : fromNodeInfoMessage(message.message as never)));
      }),
      propertyParams(300),
    );
  });

  it('streaming frames (PingStream, Calls, GetBlocks, PutBlocks): deserializers refuse with an Error, never hang or throw non-errors', () => {
    const defs = [ROUTING_SERVICE.definition(), CONTENT_SERVICE.definition()] as unknown as Record<string, AnyMethod>[];
    const streams = defs.flatMap((d) => ['PingStream', 'Calls', 'GetBlocks', 'PutBlocks'].filter((n) => n in d).map((n) => d[n]!));
    assert.equal(streams.length, 4);
    fc.assert(
      fc.property(wireInput(), fc.constantFrom(...streams), fc.boolean(), (bytes, wire, request) => {
        deserialize(request ? wire.requestDeserialize : wire.responseDeserialize, bytes);
      }),
      propertyParams(500),
    );
  });
});

describe('block frames (property)', () => {
  const valid = [
    encodeBlockFrame({ cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', found: true, data: Buffer.from('hello') }),
    encodeBlockFrame({ cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', roots: ['bafy1', 'bafy2'], hintFor: 'ab'.repeat(32) }),
    encodeBlockFrame({ cid: 'bafy3', error: 'NOT_FOUND', message: 'no such block' }),
  ];

  it('any bytes decode to a frame that round-trips, or are refused with INVALID_ARGUMENT', () => {
    fc.assert(
      fc.property(wireInput(valid), (bytes) => {
        const decoded = decodeOrRefuse(() => decodeBlockFrame(bytes));
        if (decoded === undefined) return;
        const frame = decoded.value as ReturnType<typeof decodeBlockFrame>;
        const again = decodeBlockFrame(encodeBlockFrame(frame));
        assert.deepStrictEqual({ ...again, data: Buffer.from(again.data) }, { ...frame, data: Buffer.from(frame.data) });
      }),
      propertyParams(1000),
    );
  });
});
