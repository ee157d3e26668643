import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import * as x509 from './x509.ts';
import { isPeerweaveError, type ErrorCode } from '@peerweave/core';
import {
  Identity,
  NODE_URI_PREFIX,
  createClusterCa,
  issueNodeCertificate,
  nodeIdFromCertificate,
  nodeIdFromPublicKey,
  privateKeyPem,
  verifyNodeCertificate,
  type ClusterCa,
} from './index.ts';

const HOUR = 60 * 60 * 1000;

async function rejectsWith(promise: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  await assert.rejects(
    async () => (typeof promise === 'function' ? promise() : promise),
    (err) => isPeerweaveError(err) && err.code === code,
  );
}

describe('cluster CA', () => {
  let ca: ClusterCa;
  let dir: string;
  const node = Identity.generate();
  let certPem: string;

  before(async () => {
    ca = await createClusterCa();
    certPem = await issueNodeCertificate(ca, node);
    dir = await mkdtemp(join(tmpdir(), 'pw-cluster-ca-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a self-signed Ed25519 CA: CA:true critical, keyCertSign + cRLSign, 10 years', () => {
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.publicKey.asymmetricKeyType, 'ed25519');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(createPrivateKey(ca.keyPem).asymmetricKeyType, 'ed25519');
    const parsed = new x509.X509Certificate(ca.certPem);
    const bc = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.ok(bc?.ca && bc.critical);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(ku?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    const years = (cert.validToDate.getTime() - Date.now()) / (365 * 24 * HOUR);
    assert.ok(years > 9.9 && years < 10.1, `validity ${years} years`);
  });

  it('issues a node certificate for the node key: CN and SAN URI = id, server+client auth, not a CA, 24 h', () => {
    const cert = new X509Certificate(certPem);
    const id = node.id.toHex();
    assert.equal(cert.subject, `CN=${id}`);
    assert.equal(cert.subjectAltName, `URI:${NODE_URI_PREFIX}${id}`);
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    const parsed = new x509.X509Certificate(certPem);
    assert.equal(parsed.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
    assert.deepEqual([...(parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    assert.equal(parsed.getExtension(x509.BasicConstraintsExtension)?.critical, true);
    const skewMs = Date.now() - cert.validFromDate.getTime();
    assert.ok(skewMs >= 59_000 && skewMs < 70_000, `notBefore ${skewMs} ms in the past`);
    const lifeMs = cert.validToDate.getTime() - Date.now();
    assert.ok(Math.abs(lifeMs - 24 * HOUR) < 10_000, `notAfter ${lifeMs} ms ahead`);
  });

  it('openssl agrees: the node certificate verifies against the CA', async () => {
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, 'node.crt'), certPem);
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'node.crt')], { encoding: 'utf8' });
    assert.match(out, /node\.crt: OK/);
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'node.crt'), '-noout', '-text'], { encoding: 'utf8' });
    assert.match(text, /Public Key Algorithm: ED25519/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
  });

  it('the node id of a certificate is nodeIdFromPublicKey of the node key, from PEM or DER', () => {
    assert.ok(nodeIdFromCertificate(certPem).equals(node.id));
    assert.ok(nodeIdFromCertificate(new Uint8Array(new X509Certificate(certPem).raw)).equals(nodeIdFromPublicKey(node.publicKey)));
  });

  it('verifies: node id and notAfter', async () => {
    const { nodeId, notAfter } = await verifyNodeCertificate(ca.certPem, certPem);
    assert.ok(nodeId.equals(node.id));
    assert.equal(notAfter.getTime(), new X509Certificate(certPem).validToDate.getTime());
  });

  it('refuses a certificate of another CA with PERMISSION_DENIED', async () => {
    const other = await createClusterCa({ commonName: 'intruder' });
    const foreign = await issueNodeCertificate(other, node);
    await rejectsWith(verifyNodeCertificate(ca.certPem, foreign), 'PERMISSION_DENIED');
    // Same issuer name, other key: the signature decides, not the name.
    const twin = await createClusterCa();
    await rejectsWith(verifyNodeCertificate(ca.certPem, await issueNodeCertificate(twin, node)), 'PERMISSION_DENIED');
  });

  it('refuses an expired or not-yet-valid certificate with FAILED_PRECONDITION', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const short = await issueNodeCertificate(ca, node, { validityMs: HOUR, now });
    await verifyNodeCertificate(ca.certPem, short, new Date(now.getTime() + HOUR - 1000));
    await rejectsWith(verifyNodeCertificate(ca.certPem, short, new Date(now.getTime() + HOUR + 1000)), 'FAILED_PRECONDITION');
    // notBefore is a minute back for skew; before that, not yet valid.
    await verifyNodeCertificate(ca.certPem, short, new Date(now.getTime() - 30_000));
    await rejectsWith(verifyNodeCertificate(ca.certPem, short, new Date(now.getTime() - 2 * 60_000)), 'FAILED_PRECONDITION');
  });

  it('a node certificate ends no later than its CA; an expired CA issues nothing (FAILED_PRECONDITION)', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const shortCa = await createClusterCa({ validityDays: 1, now });
    const cert = await issueNodeCertificate(shortCa, node, { validityMs: 7 * 24 * HOUR, now });
    assert.equal(new X509Certificate(cert).validToDate.getTime(), new X509Certificate(shortCa.certPem).validToDate.getTime());
    await rejectsWith(issueNodeCertificate(shortCa, node, { now: new Date(now.getTime() + 2 * 24 * HOUR) }), 'FAILED_PRECONDITION');
  });

  it('a renewed certificate (issued later) has the same node id and a later notAfter', async () => {
    const later = new Date(Date.now() + 16 * HOUR);
    const renewed = await issueNodeCertificate(ca, node, { now: later });
    const a = await verifyNodeCertificate(ca.certPem, certPem, later);
    const b = await verifyNodeCertificate(ca.certPem, renewed, later);
    assert.ok(a.nodeId.equals(b.nodeId));
    assert.ok(b.notAfter > a.notAfter);
    assert.notEqual(new X509Certificate(renewed).serialNumber, new X509Certificate(certPem).serialNumber);
  });

  it('refuses malformed input, non-Ed25519 keys and CA certificates with INVALID_ARGUMENT', async () => {
    await rejectsWith(() => nodeIdFromCertificate('not a certificate'), 'INVALID_ARGUMENT');
    await rejectsWith(() => nodeIdFromCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), 'INVALID_ARGUMENT');
    const truncated = certPem.slice(0, certPem.length / 2) + '\n-----END CERTIFICATE-----\n';
    await rejectsWith(() => nodeIdFromCertificate(truncated), 'INVALID_ARGUMENT');
    await rejectsWith(verifyNodeCertificate(ca.certPem, 'garbage'), 'INVALID_ARGUMENT');
    await rejectsWith(verifyNodeCertificate('garbage', certPem), 'INVALID_ARGUMENT');
    await rejectsWith(verifyNodeCertificate(ca.certPem, ca.certPem), 'INVALID_ARGUMENT');
    // An ECDSA P-256 certificate: parseable, wrong key type.
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const ec = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=ec', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    await rejectsWith(() => nodeIdFromCertificate(ec.toString('pem')), 'INVALID_ARGUMENT');
    // Bad issue arguments.
    await rejectsWith(issueNodeCertificate(ca, { publicKey: new Uint8Array(31) }), 'INVALID_ARGUMENT');
    await rejectsWith(issueNodeCertificate(ca, node, { validityMs: 0 }), 'INVALID_ARGUMENT');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await rejectsWith(issueNodeCertificate({ certPem: ca.certPem, keyPem: rsa }, node), 'INVALID_ARGUMENT');
    const other = await createClusterCa();
    await rejectsWith(issueNodeCertificate({ certPem: ca.certPem, keyPem: other.keyPem }, node), 'INVALID_ARGUMENT');
  });

  it('a bundle of two CAs (rotation): issues with the CA matching the key, verifies certificates of either', async () => {
    const next = await createClusterCa({ commonName: 'Peerweave cluster CA 2' });
    const bundle = ca.certPem + next.certPem;
    const byNext = await issueNodeCertificate({ certPem: bundle, keyPem: next.keyPem }, node);
    assert.equal(new X509Certificate(byNext).issuer, 'CN=Peerweave cluster CA 2');
    assert.ok((await verifyNodeCertificate(bundle, byNext)).nodeId.equals(node.id));
    assert.ok((await verifyNodeCertificate(bundle, certPem)).nodeId.equals(node.id));
    await rejectsWith(verifyNodeCertificate(next.certPem, certPem), 'PERMISSION_DENIED');
  });

  it('privateKeyPem is the node key as PKCS#8 PEM, and a mutual TLS handshake works with these certificates', async () => {
    const keyPem = privateKeyPem(node);
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const client = Identity.generate();
    const clientCert = await issueNodeCertificate(ca, client);
    const server = createServer({ key: keyPem, cert: certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (s) => {
      s.end(nodeIdFromCertificate(new Uint8Array(s.getPeerX509Certificate()!.raw)).toHex());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as { port: number }).port;
      const socket: TLSSocket = connect({
        host: '127.0.0.1',
        port,
        key: privateKeyPem(client),
        cert: clientCert,
        ca: ca.certPem,
        // Nodes dial IP:port: the id is checked from the key, not the host name.
        checkServerIdentity: (_host, cert) =>
          nodeIdFromCertificate(new Uint8Array(cert.raw)).equals(node.id) ? undefined : new Error('wrong node'),
      });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (received += d));
      await once(socket, 'end');
      assert.equal(received, client.id.toHex(), 'server saw the client node id');
      socket.destroy();
    } finally {
      server.close();
    }
  });
});
