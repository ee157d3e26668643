import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { CorruptBlockError, PeerweaveError } from '@peerweave/core';
import { CONTENT_METHODS, MAX_BLOCK_BYTES } from './content-codec.ts';
import type { GetBlockResponse } from './content-messages.ts';
import { CONTENT_SERVICE_NAME, contentServiceBinding, contentServiceDefinition } from './content-service.ts';
import { cid, CONTENT_SAMPLES, sampleContentHandler } from './content-test-messages.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../transport/grpc-options.ts';
import { GrpcPeerTransport } from '../transport/grpc-peer-transport.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import { createHealthClient } from '../transport/health-client.ts';
import { ROUTING_SERVICE_NAME, routingServiceBinding } from '../routing/routing-service.ts';
import { PING, PING_RESPONSE, sampleHandler } from '../routing/routing-test-messages.ts';
import type { ContentHandler } from './content-messages.ts';
import { listServicesByReflection, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';

const KIB = 1024;


type SwitchableContentHandler = ReturnType<typeof sampleContentHandler> & {
  onPutBlock?: ContentHandler['putBlock'] | undefined;
  onGetBlock?: ContentHandler['getBlock'] | undefined;
  onAddProvider?: ContentHandler['addProvider'] | undefined;
};

/** The sample content handler, with putBlock, getBlock and addProvider swappable per test. */
function switchableContentHandler(): SwitchableContentHandler {
  const base = sampleContentHandler();
  const handler: SwitchableContentHandler = {
    ...base,
    putBlock: (request, context) => (handler.onPutBlock ?? base.putBlock)(request, context),
    getBlock: (request, context) => (handler.onGetBlock ?? base.getBlock)(request, context),
    addProvider: (request, context) => (handler.onAddProvider ?? base.addProvider)(request, context),
  };
  return handler;
}

/** A raw grpc-js call of ContentService/PutBlock with whatever message, bypassing our codec. */
function rawPutBlock(address: string, message: unknown): Promise<{ code: number; details: string }> {
  return rawContentCall(address, 'PutBlock', message);
}

/** A raw grpc-js call of a ContentService method with whatever message, bypassing our codec. */
function rawContentCall(
  address: string,
  rpc: 'PutBlock' | 'AddProvider' | 'GetProviders',
  message: unknown,
): Promise<{ code: number; details: string }> {
  const def = contentServiceDefinition()[rpc];
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': DEFAULT_MAX_MESSAGE_BYTES,
  });
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize as (m: unknown) => Buffer,
      def.responseDeserialize as (b: Buffer) => unknown,
      message,
      { deadline: Date.now() + 5_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve(err === null ? { code: Status.OK, details: '' } : { code: err.code, details: err.details });
      },
    );
  });
}

describe('ContentService over gRPC with GrpcPeerTransport', () => {
  const logger = recordingLogger();
  const content = switchableContentHandler();
  const routing = sampleHandler();
  let server: GrpcServer;
  let routingOnly: GrpcServer;

  before(async () => {
    // The default message limit (4 MiB), which a 1 MiB block fits with room to spare.
    server = await startTestServer([routingServiceBinding(routing), contentServiceBinding(content)], {
      logger,
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      reflection: true,
    });
    routingOnly = await startTestServer([routingServiceBinding(sampleHandler())]);
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
    await routingOnly?.stop({ graceMs: 1_000 });
  });

  function transport(t: TestContext): GrpcPeerTransport {
    const tr = new GrpcPeerTransport({ defaultDeadlineMs: 5_000 });
    t.after(() => tr.close());
    return tr;
  }

  it('the server lists ContentService through reflection and reports it SERVING', async (t) => {
    assert.equal(contentServiceBinding(content).serviceName, CONTENT_SERVICE_NAME);
    const services = await listServicesByReflection(server.address);
    assert.ok(services.includes(CONTENT_SERVICE_NAME), services.join(', '));
    assert.ok(services.includes(ROUTING_SERVICE_NAME), services.join(', '));
    const health = createHealthClient(server.address, { defaultDeadlineMs: 5_000 });
    t.after(() => health.close());
    assert.equal(await health.check(CONTENT_SERVICE_NAME), 'SERVING');
  });

  it('every content method reaches the handler decoded and returns its answer', async (t) => {
    const tr = transport(t);
    for (const method of CONTENT_METHODS) {
      content.received.length = 0;
      const { request, response } = CONTENT_SAMPLES[method];
      assert.deepEqual(await tr.request(server.address, method, request as never), response, method);
      assert.deepEqual(content.received, [{ method, request }], method);
    }
  });

  it('routing and content calls to one address share one channel', async (t) => {
    const tr = transport(t);
    const [pong, block] = await Promise.all([
      tr.request(server.address, 'ping', PING),
      tr.request(server.address, 'getBlock', { cid: cid(3) }),
    ]);
    assert.deepEqual(pong, PING_RESPONSE);
    assert.equal(block.found, true);
    assert.equal(tr.channelCount, 1);
  });

  it('a 256 KiB block goes and comes back byte-identical', async (t) => {
    const data = randomBytes(256 * KIB);
    let stored: Uint8Array | undefined;
    content.onPutBlock = async (request) => {
      stored = Buffer.from(request.data); // a copy, as a store would write it
      return { stored: true };
    };
    content.onGetBlock = async (): Promise<GetBlockResponse> => ({ found: true, data: stored ?? new Uint8Array() });
    t.after(() => {
      content.onPutBlock = undefined;
      content.onGetBlock = undefined;
    });
    const tr = transport(t);
    assert.deepEqual(await tr.request(server.address, 'putBlock', { cid: cid(9), data, roots: [cid(9)], hintFor: '' }), { stored: true });
    assert.ok(stored !== undefined && Buffer.compare(stored, data) === 0, 'stored as sent');
    const got = await tr.request(server.address, 'getBlock', { cid: cid(9) });
    assert.equal(got.found, true);
    assert.equal(got.data.length, data.length);
    assert.equal(Buffer.compare(got.data, data), 0, 'read back as stored');
  });

  it('a 1.5 MiB block is refused with INVALID_ARGUMENT: before it leaves, and by the server', async (t) => {
    const data = Buffer.alloc(1.5 * 1024 * KIB, 1);
    content.received.length = 0;
    const tr = transport(t);
    await rejectsWithCode(
      tr.request(server.address, 'putBlock', { cid: cid(9), data, roots: [], hintFor: '' }),
      'INVALID_ARGUMENT',
      new RegExp(`data: a block has at most ${MAX_BLOCK_BYTES} bytes`),
    );
    assert.equal(tr.channelCount, 0, 'nothing was sent');
    const raw = await rawPutBlock(server.address, { cid: cid(9), data });
    assert.equal(raw.code, Status.INVALID_ARGUMENT, raw.details);
    assert.match(raw.details, /data: a block has at most/);
    assert.deepEqual(content.received, [], 'the handler never saw it');
  });

  it("a handler's CORRUPT_BLOCK reaches the caller as CORRUPT_BLOCK (gRPC DATA_LOSS)", async (t) => {
    content.onPutBlock = async () => {
      throw new CorruptBlockError('bytes do not match the CID');
    };
    t.after(() => {
      content.onPutBlock = undefined;
    });
    await assert.rejects(transport(t).request(server.address, 'putBlock', CONTENT_SAMPLES.putBlock.request), (err: unknown) => {
      assert.ok(err instanceof PeerweaveError);
      assert.equal(err.code, 'CORRUPT_BLOCK');
      assert.equal(err.details?.['grpcStatus'], 'DATA_LOSS');
      assert.match(err.message, /bytes do not match the CID/);
      return true;
    });
  });

  it('an invalid response from the handler is our bug: INTERNAL to the caller, logged here', async (t) => {
    content.onGetBlock = async () => ({ found: false, data: Buffer.alloc(3) });
    t.after(() => {
      content.onGetBlock = undefined;
    });
    logger.entries.length = 0;
    await rejectsWithCode(transport(t).request(server.address, 'getBlock', { cid: cid(1) }), 'INTERNAL', /^internal error$/);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
  });

  it('provider records go and come back; the handler sees who called', async (t) => {
    const tr = transport(t);
    let peer = '';
    content.onAddProvider = async (request, context) => {
      peer = context.peer;
      return { accepted: request.cids.length };
    };
    t.after(() => {
      content.onAddProvider = undefined;
    });
    assert.deepEqual(await tr.request(server.address, 'addProvider', CONTENT_SAMPLES.addProvider.request), { accepted: 2 });
    assert.match(peer, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(await tr.request(server.address, 'getProviders', { cid: cid(1) }), CONTENT_SAMPLES.getProviders.response);
  });

  it('an AddProvider without CIDs or with a short id is refused with INVALID_ARGUMENT: before it leaves, and by the server', async (t) => {
    content.received.length = 0;
    const tr = transport(t);
    const request = CONTENT_SAMPLES.addProvider.request;
    await rejectsWithCode(tr.request(server.address, 'addProvider', { ...request, cids: [] }), 'INVALID_ARGUMENT', /cids: must name at least one CID/);
    assert.equal(tr.channelCount, 0, 'nothing was sent');
    const wire = { ...request, id: Buffer.from(request.id, 'hex') };
    const empty = await rawContentCall(server.address, 'AddProvider', { ...wire, cids: [] });
    assert.equal(empty.code, Status.INVALID_ARGUMENT, empty.details);
    const shortId = await rawContentCall(server.address, 'AddProvider', { ...wire, id: Buffer.alloc(31) });
    assert.equal(shortId.code, Status.INVALID_ARGUMENT, shortId.details);
    assert.match(shortId.details, /^id: an id has 32 bytes, got 31/);
    const noCid = await rawContentCall(server.address, 'GetProviders', { cid: '' });
    assert.equal(noCid.code, Status.INVALID_ARGUMENT, noCid.details);
    assert.deepEqual(content.received, [], 'the handler never saw them');
  });

  it('a node that does not serve ContentService answers METHOD_NOT_ALLOWED, and still serves routing', async (t) => {
    const tr = transport(t);
    await rejectsWithCode(tr.request(routingOnly.address, 'getBlock', { cid: cid(1) }), 'METHOD_NOT_ALLOWED');
    assert.deepEqual(await tr.request(routingOnly.address, 'ping', PING), PING_RESPONSE);
  });
});
