import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Client, credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ResourceExhaustedError } from '@peerweave/core';
import { cid, CONTENT_SAMPLES, sampleContentHandler } from '../content/content-test-messages.ts';
import { CONTENT_SERVICE_NAME, contentServiceBinding } from '../content/content-service.ts';
import { GrpcPeerTransport } from '../transport/grpc-peer-transport.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import { createHealthClient } from '../transport/health-client.ts';
import type { SearchHandler } from './search-messages.ts';
import { ROUTING_SERVICE_NAME, routingServiceBinding } from '../routing/routing-service.ts';
import { PING, PING_RESPONSE, sampleHandler } from '../routing/routing-test-messages.ts';
import { SEARCH_METHODS } from './search-codec.ts';
import { MAX_QUERY_LENGTH } from './search-messages.ts';
import { SEARCH_SERVICE_NAME, searchServiceBinding, searchServiceDefinition } from './search-service.ts';
import { QUERY, QUERY_ID, SEARCH_SAMPLES, sampleSearchHandler } from './search-test-messages.ts';
import { listServicesByReflection, recordingLogger, startTestServer, rejectsWithCode } from '../test-support.ts';


type SwitchableSearchHandler = ReturnType<typeof sampleSearchHandler> & {
  onQuery?: SearchHandler['query'] | undefined;
};

/** The sample search handler, with query swappable per test. */
function switchableSearchHandler(): SwitchableSearchHandler {
  const base = sampleSearchHandler();
  const handler: SwitchableSearchHandler = {
    ...base,
    query: (request, context) => (handler.onQuery ?? base.query)(request, context),
  };
  return handler;
}

/** A raw grpc-js call of SearchService/Query with whatever message, bypassing our codec. */
function rawQuery(address: string, message: unknown): Promise<{ code: number; details: string }> {
  const def = searchServiceDefinition().Query;
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize as (m: unknown) => Buffer,
      def.responseDeserialize,
      message,
      { deadline: Date.now() + 5_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve(err === null ? { code: Status.OK, details: '' } : { code: err.code, details: err.details });
      },
    );
  });
}

describe('SearchService over gRPC with GrpcPeerTransport', () => {
  const logger = recordingLogger();
  const search = switchableSearchHandler();
  let server: GrpcServer;
  let routingOnly: GrpcServer;

  before(async () => {
    server = await startTestServer(
      [routingServiceBinding(sampleHandler()), contentServiceBinding(sampleContentHandler()), searchServiceBinding(search)],
      { logger, reflection: true },
    );
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

  it('the server lists SearchService through reflection and reports it SERVING', async (t) => {
    assert.equal(searchServiceBinding(search).serviceName, SEARCH_SERVICE_NAME);
    const services = await listServicesByReflection(server.address);
    for (const name of [SEARCH_SERVICE_NAME, CONTENT_SERVICE_NAME, ROUTING_SERVICE_NAME]) {
      assert.ok(services.includes(name), services.join(', '));
    }
    const health = createHealthClient(server.address, { defaultDeadlineMs: 5_000 });
    t.after(() => health.close());
    assert.equal(await health.check(SEARCH_SERVICE_NAME), 'SERVING');
  });

  it('every search method reaches the handler decoded, with the caller as context.peer, and returns its answer', async (t) => {
    const tr = transport(t);
    for (const method of SEARCH_METHODS) {
      search.received.length = 0;
      const { request, response } = SEARCH_SAMPLES[method];
      assert.deepEqual(await tr.request(server.address, method, request as never), response, method);
      assert.equal(search.received.length, 1, method);
      const [received] = search.received;
      assert.deepEqual({ method: received!.method, request: received!.request }, { method, request }, method);
      // The connection's remote end: our loopback address and an ephemeral port.
      assert.match(received!.peer, /^127\.0\.0\.1:\d+$/, method);
    }
  });

  it('a TTL above the maximum reaches the handler as it was sent', async (t) => {
    search.received.length = 0;
    await transport(t).request(server.address, 'query', { ...QUERY, ttl: 1000 });
    assert.equal((search.received[0]?.request as typeof QUERY).ttl, 1000);
  });

  it('routing, content and search calls to one address share one channel', async (t) => {
    const tr = transport(t);
    const [pong, block, accepted] = await Promise.all([
      tr.request(server.address, 'ping', PING),
      tr.request(server.address, 'getBlock', CONTENT_SAMPLES.getBlock.request),
      tr.request(server.address, 'query', QUERY),
    ]);
    assert.deepEqual(pong, PING_RESPONSE);
    assert.equal(block.found, true);
    assert.deepEqual(accepted, SEARCH_SAMPLES.query.response);
    assert.equal(tr.channelCount, 1);
  });

  it('an invalid request is refused with INVALID_ARGUMENT: before it leaves, and by the server', async (t) => {
    search.received.length = 0;
    const tr = transport(t);
    await rejectsWithCode(tr.request(server.address, 'query', { ...QUERY, text: '  ' }), 'INVALID_ARGUMENT', /text: must not be empty/);
    await rejectsWithCode(tr.request(server.address, 'hits', { ...SEARCH_SAMPLES.hits.request, queryId: 'x' }), 'INVALID_ARGUMENT', /queryId/);
    assert.equal(tr.channelCount, 0, 'nothing was sent');
    const wire = {
      queryId: Buffer.from(QUERY_ID, 'hex'),
      text: 'q'.repeat(MAX_QUERY_LENGTH + 1),
      limit: 10,
      mode: 'SEARCH_MODE_FLOOD',
      origin: { id: Buffer.alloc(32, 1), address: '10.0.0.1:7400' },
      from: Buffer.alloc(32, 2),
    };
    const tooLong = await rawQuery(server.address, wire);
    assert.equal(tooLong.code, Status.INVALID_ARGUMENT, tooLong.details);
    assert.match(tooLong.details, /^text: must be at most 256 characters/);
    const shortId = await rawQuery(server.address, { ...wire, text: 'ok', queryId: Buffer.alloc(8) });
    assert.equal(shortId.code, Status.INVALID_ARGUMENT, shortId.details);
    assert.match(shortId.details, /queryId: a query id has 16 bytes, got 8/);
    const noMode = await rawQuery(server.address, { ...wire, text: 'ok', mode: 'SEARCH_MODE_UNSPECIFIED' });
    assert.equal(noMode.code, Status.INVALID_ARGUMENT, noMode.details);
    assert.deepEqual(search.received, [], 'the handler never saw them');
  });

  it("a handler's typed error reaches the caller with its code (a per-peer limit: RESOURCE_EXHAUSTED)", async (t) => {
    search.onQuery = async (_request, { peer }) => {
      throw new ResourceExhaustedError(`too many queries from ${peer}`);
    };
    t.after(() => {
      search.onQuery = undefined;
    });
    await rejectsWithCode(transport(t).request(server.address, 'query', QUERY), 'RESOURCE_EXHAUSTED', /too many queries from 127\.0\.0\.1:\d+/);
  });

  it('an invalid response from the handler is our bug: INTERNAL to the caller, logged here', async (t) => {
    search.onQuery = async () => ({ accepted: 'yes' as never });
    t.after(() => {
      search.onQuery = undefined;
    });
    logger.entries.length = 0;
    await rejectsWithCode(transport(t).request(server.address, 'query', QUERY), 'INTERNAL', /^internal error$/);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
  });

  it('a node that does not serve SearchService answers METHOD_NOT_ALLOWED, and still serves routing', async (t) => {
    const tr = transport(t);
    await rejectsWithCode(tr.request(routingOnly.address, 'query', QUERY), 'METHOD_NOT_ALLOWED');
    await rejectsWithCode(tr.request(routingOnly.address, 'getProviders', { cid: cid(1) }), 'METHOD_NOT_ALLOWED');
    assert.deepEqual(await tr.request(routingOnly.address, 'ping', PING), PING_RESPONSE);
  });
});
