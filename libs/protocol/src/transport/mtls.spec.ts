import assert from 'node:assert/strict';
import { connect as tlsConnect, createServer as tlsServer, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { PeerCallContext } from '../service-types.ts';
import { createCredentials, type ProtocolCredentials, type TlsMaterial } from './credentials.ts';
import type { GrpcServer } from './grpc-server.ts';
import { GrpcPeerTransport, type GrpcPeerTransportInit } from './grpc-peer-transport.ts';
import { routingServiceBinding } from '../routing/routing-service.ts';
import { contentServiceBinding } from '../content/content-service.ts';
import type { PingRequest, RoutingHandler } from '../routing/routing-messages.ts';
import { contact, PING_RESPONSE, sampleHandler } from '../routing/routing-test-messages.ts';
import { cid, sampleContentHandler } from '../content/content-test-messages.ts';
import type { ContentHandler } from '../content/content-messages.ts';
import { rejectsWithCode, startTestServer } from '../test-support.ts';
import { createTestCa, createTestNodeCertificates, type TestCa, type TestNodeCertificates } from '../testing/test-certificates.ts';
import { nodeIdOfCertificateDer, trackedConnections } from './caller-id.ts';
import { X509Certificate } from 'node:crypto';

/** What each handler saw as the caller's id, by method. */
type Seen = { method: string; callerId: string | undefined }[];

function material(c: TestNodeCertificates): TlsMaterial {
  return { caPem: c.caPem, certPem: c.certPem, keyPem: c.keyPem };
}

/** The server's routing handler: answers as `self` (or as `answerAs` when a test sets it). */
function routingHandler(self: string, seen: Seen): RoutingHandler & { answerAs: string | undefined } {
  const base = sampleHandler();
  const handler = {
    ...base,
    answerAs: undefined as string | undefined,
    ping: async (request: PingRequest, context: PeerCallContext) => {
      seen.push({ method: 'ping', callerId: context.callerId });
      return { ...PING_RESPONSE, sender: { ...contact(2), id: handler.answerAs ?? self } };
    },
  };
  return handler;
}

function contentHandler(seen: Seen): ContentHandler {
  const base = sampleContentHandler();
  return {
    ...base,
    hasBlocks: async (request, context) => {
      seen.push({ method: 'hasBlocks', callerId: context.callerId });
      return base.hasBlocks(request, context);
    },
    readBlock: async (want, context) => {
      seen.push({ method: 'readBlock', callerId: context.callerId });
      return base.readBlock(want, context);
    },
  };
}

function ping(from: string): PingRequest {
  return { sender: { ...contact(1), id: from }, updates: [], target: '' };
}

describe('mutual TLS on the peer protocol (Ed25519 node certificates, TLS 1.3)', () => {
  let ca: TestCa;
  let serverCerts: TestNodeCertificates;
  let clientCerts: TestNodeCertificates;
  let outsiderCerts: TestNodeCertificates;
  let serverCredentials: ProtocolCredentials;
  let server: GrpcServer;
  let routing: ReturnType<typeof routingHandler>;
  const seen: Seen = [];

  before(async () => {
    ca = await createTestCa();
    serverCerts = await createTestNodeCertificates(ca);
    clientCerts = await createTestNodeCertificates(ca);
    outsiderCerts = await createTestNodeCertificates(await createTestCa());
    serverCredentials = createCredentials({ tls: material(serverCerts) });
    routing = routingHandler(serverCerts.id, seen);
    server = await startTestServer([routingServiceBinding(routing), contentServiceBinding(contentHandler(seen))], { credentials: serverCredentials });
  });
  after(async () => {
    await server?.stop({ graceMs: 1_000 });
  });

  function transport(t: TestContext, certs: TestNodeCertificates | undefined, init: GrpcPeerTransportInit = {}): GrpcPeerTransport {
    const tr = new GrpcPeerTransport({
      defaultDeadlineMs: 5_000,
      credentials: certs === undefined ? createCredentials({ insecure: true }) : createCredentials({ tls: material(certs) }),
      ...init,
    });
    t.after(() => tr.close());
    return tr;
  }

  it('Node 24 negotiates TLS 1.3 with Ed25519 certificates on both ends', async () => {
    const tls = tlsServer({ ca: ca.certPem, cert: serverCerts.certPem, key: serverCerts.keyPem, requestCert: true, rejectUnauthorized: true });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const accepted = once(tls, 'secureConnection') as Promise<[TLSSocket]>;
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: (tls.address() as { port: number }).port,
      ca: ca.certPem,
      cert: clientCerts.certPem,
      key: clientCerts.keyPem,
      servername: 'peerweave-node',
      checkServerIdentity: () => undefined,
    });
    await once(socket, 'secureConnect');
    const [serverSide] = await accepted;
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    assert.equal(socket.authorized, true);
    assert.equal(nodeIdOfCertificateDer(serverSide.getPeerCertificate().raw), clientCerts.id);
    assert.equal(nodeIdOfCertificateDer(socket.getPeerCertificate().raw), serverCerts.id);
    socket.destroy();
    serverSide.destroy();
    tls.close();
  });

  it("a node certificate's id is SHA-256 of its Ed25519 key; a certificate with another key type names no node", () => {
    assert.equal(nodeIdOfCertificateDer(new X509Certificate(serverCerts.certPem).raw), serverCerts.id);
    assert.throws(() => nodeIdOfCertificateDer(Buffer.from('not a certificate')), { code: 'UNAUTHENTICATED' });
  });

  it('the handler learns the verified caller id, on unary calls, PingStream, Calls and block streams alike', async (t) => {
    seen.length = 0;
    for (const pingStream of [false, true]) {
      const tr = transport(t, clientCerts, { pingStream });
      const answer = await tr.request(server.address, 'ping', ping(clientCerts.id));
      assert.equal(answer.sender.id, serverCerts.id);
    }
    const tr = transport(t, clientCerts);
    await tr.request(server.address, 'hasBlocks', { cids: [cid(1)] });
    const reader = tr.openBlockReader(server.address);
    await reader.get(cid(1)).catch(() => {});
    reader.close();
    assert.deepEqual(
      seen.map((s) => s.method),
      ['ping', 'ping', 'hasBlocks', 'readBlock'],
    );
    for (const s of seen) assert.equal(s.callerId, clientCerts.id, s.method);
  });

  it('the channel knows the server it reached: a call expecting another id there fails PERMISSION_DENIED', async (t) => {
    const tr = transport(t, clientCerts);
    await tr.request(server.address, 'ping', ping(clientCerts.id), { expectId: serverCerts.id });
    await rejectsWithCode(tr.request(server.address, 'ping', ping(clientCerts.id), { expectId: outsiderCerts.id }), 'PERMISSION_DENIED');
    // Before any connection too (the answer is refused once the handshake proved the id).
    const fresh = transport(t, clientCerts);
    await rejectsWithCode(fresh.request(server.address, 'ping', ping(clientCerts.id), { expectId: outsiderCerts.id }), 'PERMISSION_DENIED');
  });

  it("an answer whose sender claims another id than the connection's is refused (PERMISSION_DENIED)", async (t) => {
    const tr = transport(t, clientCerts);
    routing.answerAs = outsiderCerts.id;
    try {
      await rejectsWithCode(tr.request(server.address, 'ping', ping(clientCerts.id)), 'PERMISSION_DENIED', /answer claims to come from/);
    } finally {
      routing.answerAs = undefined;
    }
  });

  it('a ping whose sender is not the caller is refused PERMISSION_DENIED, unary and on the PingStream', async (t) => {
    for (const pingStream of [false, true]) {
      const tr = transport(t, clientCerts, { pingStream });
      await rejectsWithCode(tr.request(server.address, 'ping', ping(outsiderCerts.id)), 'PERMISSION_DENIED', /ping claims to come from/);
    }
  });

  it('a caller whose certificate is from another CA fails at the handshake (UNAVAILABLE), and so does our call to such a server', async (t) => {
    seen.length = 0;
    const outsider = transport(t, outsiderCerts);
    await rejectsWithCode(outsider.request(server.address, 'ping', ping(outsiderCerts.id), { deadlineMs: 2_000 }), 'UNAVAILABLE');
    const outsiderServer = await startTestServer([routingServiceBinding(routingHandler(outsiderCerts.id, seen))], {
      credentials: createCredentials({ tls: material(outsiderCerts) }),
    });
    t.after(() => outsiderServer.stop({ graceMs: 100 }));
    const member = transport(t, clientCerts);
    await rejectsWithCode(member.request(outsiderServer.address, 'ping', ping(clientCerts.id), { deadlineMs: 2_000 }), 'UNAVAILABLE');
    assert.deepEqual(seen, [], 'no handler ran');
  });

  it('a plaintext client is refused by an mTLS server', async (t) => {
    const plain = transport(t, undefined);
    await rejectsWithCode(plain.request(server.address, 'ping', ping(clientCerts.id), { deadlineMs: 2_000 }), 'UNAVAILABLE');
  });

  it('a renewed certificate is presented from the next connection on, without restarting the server', async (t) => {
    const otherCa = await createTestCa();
    const renewedCerts = await createTestNodeCertificates(otherCa, { keysOf: serverCerts });
    let renew: ((m: TlsMaterial) => void) | undefined;
    const credentials = createCredentials({
      tls: material(serverCerts),
      onRenewed: (listener) => {
        renew = listener;
      },
    });
    const renewing = await startTestServer([routingServiceBinding(routingHandler(serverCerts.id, []))], { credentials });
    t.after(() => renewing.stop({ graceMs: 100 }));
    // A client of the other CA is refused until the renewal, then admitted by the same server.
    const clientOfOther = await createTestNodeCertificates(otherCa);
    await rejectsWithCode(transport(t, clientOfOther).request(renewing.address, 'ping', ping(clientOfOther.id), { deadlineMs: 2_000 }), 'UNAVAILABLE');
    renew!({ caPem: otherCa.certPem, certPem: renewedCerts.certPem, keyPem: renewedCerts.keyPem });
    const answer = await transport(t, clientOfOther).request(renewing.address, 'ping', ping(clientOfOther.id), { expectId: serverCerts.id });
    assert.equal(answer.sender.id, serverCerts.id, 'same key, same node id');
  });

  it('TLS material that is not PEM is refused at once (INVALID_ARGUMENT)', () => {
    assert.throws(() => createCredentials({ tls: { caPem: 'x', certPem: serverCerts.certPem, keyPem: serverCerts.keyPem } }), {
      code: 'INVALID_ARGUMENT',
      message: 'tls.caPem must be PEM text',
    });
  });
});

describe('caller ids per connection', () => {
  it('are read once per TLS connection, and forgotten when it closes', async (t) => {
    const ca = await createTestCa();
    const serverCerts = await createTestNodeCertificates(ca);
    const clientCerts = await createTestNodeCertificates(ca);
    const seen: Seen = [];
    const server = await startTestServer([routingServiceBinding(routingHandler(serverCerts.id, seen))], {
      credentials: createCredentials({ tls: material(serverCerts) }),
    });
    t.after(() => server.stop({ graceMs: 100 }));
    const before = trackedConnections();
    const tr = new GrpcPeerTransport({ pingStream: false, credentials: createCredentials({ tls: material(clientCerts) }) });
    for (let i = 0; i < 3; i++) await tr.request(server.address, 'ping', ping(clientCerts.id));
    assert.equal(trackedConnections(), before + 1);
    assert.deepEqual(seen.map((s) => s.callerId), [clientCerts.id, clientCerts.id, clientCerts.id]);
    await tr.close();
    const deadline = Date.now() + 5_000;
    while (trackedConnections() > before) {
      if (Date.now() > deadline) assert.fail('the closed connection is still tracked after 5 s');
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
});
