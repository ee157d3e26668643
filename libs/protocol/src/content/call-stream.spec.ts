import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { NotFoundError, ResourceExhaustedError } from '@peerweave/core';
import type { ReplyFrame__Output } from '../generated/peerweave/content/v1/ReplyFrame.ts';
import type { GrpcServer } from '../transport/grpc-server.ts';
import { GrpcPeerTransport } from '../transport/grpc-peer-transport.ts';
import { serviceBinding, type ServiceBinding } from '../service-binding.ts';
import { deferred, rawBidiStream, recordingLogger, rejectsWithCode, startTestServer } from '../test-support.ts';
import { MAX_CALLS_IN_FLIGHT } from './call-stream.ts';
import { CONTENT_CODECS } from './content-codec.ts';
import type { ContentHandler, ContentMethods } from './content-messages.ts';
import { CONTENT_SERVICE, contentServiceBinding, contentServiceDefinition } from './content-service.ts';
import { CONTENT_SAMPLES, sampleContentHandler } from './content-test-messages.ts';

type Handler = ReturnType<typeof sampleContentHandler>;

/** ContentService as a node from before Calls served it: the unary methods only. */
function oldContentServiceBinding(handler: ContentHandler): ServiceBinding {
  const definition = (): ReturnType<typeof CONTENT_SERVICE.definition> => {
    const { Calls: _, ...rest } = CONTENT_SERVICE.definition();
    return rest;
  };
  return serviceBinding<ContentMethods>({ ...CONTENT_SERVICE, definition }, CONTENT_CODECS, handler);
}

function transport(t: TestContext, callStream = true): GrpcPeerTransport {
  const tr = new GrpcPeerTransport({ defaultDeadlineMs: 2_000, callStream });
  t.after(() => tr.close());
  return tr;
}

describe('Calls: the content service’s unary calls as frames on one stream', () => {
  const handler: Handler = sampleContentHandler();
  let server: GrpcServer;
  let old: GrpcServer;
  const logger = recordingLogger();

  before(async () => {
    server = await startTestServer([contentServiceBinding(handler)], { logger });
    old = await startTestServer([oldContentServiceBinding(sampleContentHandler())]);
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
    await old?.stop({ graceMs: 1_000 });
  });

  it('every unary method answers over the stream exactly as over a unary call', async (t) => {
    const streamed = transport(t);
    const unary = transport(t, false);
    for (const method of Object.keys(CONTENT_SAMPLES) as (keyof ContentMethods)[]) {
      const { request } = CONTENT_SAMPLES[method];
      const a = await streamed.request(server.address, method, request as never);
      const b = await unary.request(server.address, method, request as never);
      assert.deepEqual(a, b, method);
      assert.deepEqual(handler.received.at(-1), handler.received.at(-2), `${method}: the handler saw the same request`);
    }
  });

  it('many calls at once share one stream; more than a stream carries go out as unary calls, all answered', async (t) => {
    const tr = transport(t);
    const gate = deferred();
    const original = handler.getRecord;
    handler.getRecord = async (request, context) => {
      await gate.promise;
      return original(request, context);
    };
    t.after(() => {
      handler.getRecord = original;
    });
    const calls = Array.from({ length: MAX_CALLS_IN_FLIGHT + 10 }, () => tr.request(server.address, 'getRecord', CONTENT_SAMPLES.getRecord.request));
    gate.resolve();
    const answers = await Promise.all(calls);
    for (const a of answers) assert.deepEqual(a, CONTENT_SAMPLES.getRecord.response);
  });

  it("a handler's typed error fails that call with its code, and the stream goes on", async (t) => {
    const tr = transport(t);
    const original = handler.getRecord;
    t.after(() => {
      handler.getRecord = original;
    });
    handler.getRecord = async () => {
      throw new NotFoundError('no such record here');
    };
    await rejectsWithCode(tr.request(server.address, 'getRecord', CONTENT_SAMPLES.getRecord.request), 'NOT_FOUND', /no such record/);
    handler.getRecord = async () => {
      throw new ResourceExhaustedError('too many');
    };
    await rejectsWithCode(tr.request(server.address, 'getRecord', CONTENT_SAMPLES.getRecord.request), 'RESOURCE_EXHAUSTED');
    handler.getRecord = original;
    assert.deepEqual(await tr.request(server.address, 'getRecord', CONTENT_SAMPLES.getRecord.request), CONTENT_SAMPLES.getRecord.response);
  });

  it('a stuck handler fails its call at the deadline; an aborted call rejects with ABORTED', { timeout: 15_000 }, async (t) => {
    const tr = transport(t);
    const original = handler.hasBlocks;
    t.after(() => {
      handler.hasBlocks = original;
    });
    const sawAbort = deferred<unknown>();
    handler.hasBlocks = (_request, context) =>
      new Promise((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          sawAbort.resolve(context.signal.reason);
          reject(context.signal.reason);
        });
      });
    await rejectsWithCode(tr.request(server.address, 'hasBlocks', CONTENT_SAMPLES.hasBlocks.request, { deadlineMs: 100 }), 'DEADLINE_EXCEEDED');
    const controller = new AbortController();
    const pending = tr.request(server.address, 'hasBlocks', CONTENT_SAMPLES.hasBlocks.request, { signal: controller.signal, deadlineMs: 5_000 });
    controller.abort();
    await rejectsWithCode(pending, 'ABORTED');
    handler.hasBlocks = original;
    assert.deepEqual(await tr.request(server.address, 'hasBlocks', CONTENT_SAMPLES.hasBlocks.request), CONTENT_SAMPLES.hasBlocks.response);
    const reason = await sawAbort.promise;
    assert.equal((reason as { code?: string }).code, 'DEADLINE_EXCEEDED', 'the server aborted the handler at its deadline');
  });

  it('a node from before Calls (UNIMPLEMENTED) is called with unary calls', async (t) => {
    const tr = transport(t);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await tr.request(old.address, 'getRecord', CONTENT_SAMPLES.getRecord.request), CONTENT_SAMPLES.getRecord.response);
    }
  });

  it('bad frames get a reply with their status, never a crash: unknown method, malformed request, invalid field', async (t) => {
    const { call, next } = rawBidiStream<ReplyFrame__Output>(t, server.address, contentServiceDefinition().Calls as never);
    call.write({ seq: 1, method: 'Nope', request: Buffer.alloc(0), timeoutMs: 1_000 });
    const unknown = await next();
    assert.deepEqual([unknown.seq, unknown.status], [1, Status.UNIMPLEMENTED]);
    call.write({ seq: 2, method: 'GetRecord', request: Buffer.from([0xff, 0xff, 0xff]), timeoutMs: 1_000 });
    const malformed = await next();
    assert.deepEqual([malformed.seq, malformed.status], [2, Status.INVALID_ARGUMENT]);
    const def = contentServiceDefinition().GetRecord;
    call.write({ seq: 3, method: 'GetRecord', request: def.requestSerialize({ cid: 'not a cid' }), timeoutMs: 1_000 });
    const invalid = await next();
    assert.deepEqual([invalid.seq, invalid.status], [3, Status.INVALID_ARGUMENT]);
    call.write({ seq: 4, method: 'GetRecord', request: def.requestSerialize(CONTENT_CODECS.getRecord.encodeRequest(CONTENT_SAMPLES.getRecord.request)), timeoutMs: 1_000 });
    const good = await next();
    assert.deepEqual([good.seq, good.status], [4, Status.OK], 'the stream goes on');
    assert.deepEqual(CONTENT_CODECS.getRecord.decodeResponse(def.responseDeserialize(good.response)), CONTENT_SAMPLES.getRecord.response);
  });

  it('a call the server is handling when it stops is still answered', async (t) => {
    const local = sampleContentHandler();
    const stopping = await startTestServer([contentServiceBinding(local)]);
    t.after(() => stopping.stop({ graceMs: 100 }).catch(() => {}));
    const tr = transport(t);
    assert.deepEqual(await tr.request(stopping.address, 'getRecord', CONTENT_SAMPLES.getRecord.request), CONTENT_SAMPLES.getRecord.response);
    const gate = deferred();
    const entered = deferred();
    const original = local.getRecord;
    local.getRecord = async (request, context) => {
      entered.resolve();
      await gate.promise;
      return original(request, context);
    };
    const inFlight = tr.request(stopping.address, 'getRecord', CONTENT_SAMPLES.getRecord.request, { deadlineMs: 5_000 });
    await entered.promise;
    const stopped = stopping.stop({ graceMs: 2_000 });
    gate.resolve();
    assert.deepEqual(await inFlight, CONTENT_SAMPLES.getRecord.response, 'answered before the stream ended');
    await stopped;
  });
});
