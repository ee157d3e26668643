// The node's cluster certificate: the admission modes, self-issue and renewal at 2/3 of the validity
// (driven by a ManualClock), out-of-band loading and its id check, and ConfigErrors that name the
// variable when a file is missing or the combination is incomplete.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, isPeerweaveError, type Logger } from '@peerweave/core';
import { admissionMode, loadNodeConfig } from '@peerweave/config';
import { waitFor } from '@peerweave/core/testing';
import { Identity, KEY_FILE, createClusterCa, issueNodeCertificate, nodeIdFromCertificate, verifyNodeCertificate, type ClusterCa } from '@peerweave/identity';
import { createMetrics } from '@peerweave/telemetry';
import { startNode } from './start-node.ts';
import { NodeCertificates, RENEW_AT_FRACTION, RENEW_RETRY_MS, type CertificateTriple } from './node-certificates.ts';

const HOUR = 60 * 60 * 1000;
const START = Date.parse('2026-12-05T12:00:00Z');

function configError(variable: string, message?: RegExp) {
  return (err: unknown): boolean =>
    isPeerweaveError(err) && err.code === 'INVALID_CONFIG' && err.details?.variable === variable && (message === undefined || message.test(err.message));
}

/** A logger that keeps what was logged, by level. */
function recordingLogger(lines: { level: string; msg: string }[]): Logger {
  const at =
    (level: string) =>
    (a: unknown, b?: string): void => {
      lines.push({ level, msg: typeof a === 'string' ? a : (b ?? '') });
    };
  const logger: Logger = { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace'), child: () => logger };
  return logger;
}

const none = { clusterCa: '', clusterCaKey: '', tlsCert: '', certValidityMs: 24 * HOUR };

describe('NodeCertificates', () => {
  let dir: string;
  let ca: ClusterCa;
  let caFile: string;
  let keyFile: string;
  const node = Identity.generate();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-node-certs-'));
    ca = await createClusterCa({ now: new Date(START - HOUR) });
    caFile = join(dir, 'ca.crt');
    keyFile = join(dir, 'ca.key');
    await writeFile(caFile, ca.certPem);
    await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('admission mode: none, self-issue, out-of-band; an incomplete combination names the missing variable', () => {
    assert.equal(admissionMode(none), 'none');
    assert.equal(admissionMode({ ...none, clusterCa: 'a', clusterCaKey: 'b' }), 'self-issue');
    assert.equal(admissionMode({ ...none, clusterCa: 'a', tlsCert: 'c' }), 'out-of-band');
    assert.throws(() => admissionMode({ ...none, clusterCa: 'a' }), configError('PEERWEAVE_CLUSTER_CA_KEY', /PEERWEAVE_TLS_CERT/));
    assert.throws(() => admissionMode({ ...none, clusterCaKey: 'b' }), configError('PEERWEAVE_CLUSTER_CA'));
    assert.throws(() => admissionMode({ ...none, tlsCert: 'c' }), configError('PEERWEAVE_CLUSTER_CA'));
    assert.throws(() => admissionMode({ clusterCa: 'a', clusterCaKey: 'b', tlsCert: 'c' }), configError('PEERWEAVE_TLS_CERT', /not both/));
    // loadNodeConfig checks it once at start, like every other setting.
    assert.throws(() => loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_CLUSTER_CA: caFile }), configError('PEERWEAVE_CLUSTER_CA_KEY'));
    assert.equal(loadNodeConfig({ PEERWEAVE_PRESET: 'test' }).certValidityMs, 24 * HOUR);
  });

  it('the expiry gauge: notAfter in Unix seconds with a certificate, absent without one', async () => {
    const metrics = createMetrics({ collectDefault: false });
    const certs = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, clusterCaKey: keyFile }, clock: new ManualClock(START), metrics });
    await certs.start();
    const text = await metrics.text();
    assert.match(text, new RegExp(`^peerweave_certificate_expiry_timestamp_seconds ${certs.notAfterMs / 1000}$`, 'm'));
    await certs.stop();
    const without = createMetrics({ collectDefault: false });
    await new NodeCertificates({ identity: node, config: none, metrics: without }).start();
    assert.doesNotMatch(await without.text(), /peerweave_certificate_expiry/);
  });

  it('mode none: no certificate, nothing scheduled', async () => {
    const clock = new ManualClock(START);
    const certs = new NodeCertificates({ identity: node, config: none, clock });
    await certs.start();
    assert.equal(certs.enabled, false);
    assert.equal(certs.current(), undefined);
    assert.equal(clock.pending, 0);
    await certs.stop();
  });

  it('self-issue: a certificate for the node key at start, renewed at 2/3 of the validity, listeners told', async () => {
    const clock = new ManualClock(START);
    const validityMs = 3 * HOUR;
    const certs = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, clusterCaKey: keyFile, certValidityMs: validityMs }, clock });
    const renewed: CertificateTriple[] = [];
    certs.onRenewed((t) => renewed.push(t));
    await certs.start();
    const first = certs.current()!;
    assert.equal(first.caPem, ca.certPem);
    assert.match(first.keyPem, /BEGIN PRIVATE KEY/);
    assert.ok(nodeIdFromCertificate(first.certPem).equals(node.id));
    const checked = await verifyNodeCertificate(ca.certPem, first.certPem, new Date(START));
    assert.ok(Math.abs(checked.notAfter.getTime() - (START + validityMs)) < 1000);
    assert.equal(certs.notAfterMs, checked.notAfter.getTime());

    await clock.advance(validityMs * RENEW_AT_FRACTION - 1000);
    assert.equal(renewed.length, 0, 'not before 2/3');
    await clock.advance(1000);
    await waitFor(() => renewed.length === 1);
    const second = certs.current()!;
    assert.equal(renewed[0], second);
    assert.notEqual(second.certPem, first.certPem);
    assert.ok(nodeIdFromCertificate(second.certPem).equals(node.id));
    const renewedAt = START + validityMs * RENEW_AT_FRACTION;
    assert.ok(Math.abs(new X509Certificate(second.certPem).validToDate.getTime() - (renewedAt + validityMs)) < 1000);

    // And again, 2/3 of the validity after the renewal: the old certificate never expires in use.
    await clock.advance(validityMs * RENEW_AT_FRACTION);
    await waitFor(() => renewed.length === 2);
    await certs.stop();
    assert.equal(clock.pending, 0, 'stop cancels the next renewal');
  });

  it('self-issue: a CA that ends before a full validity cuts the certificate short, is warned about, and renewals fail once it has expired', async () => {
    const clock = new ManualClock(START);
    const sub = await mkdtemp(join(dir, 'ending-'));
    const ending = await createClusterCa({ validityDays: 1, now: new Date(START) }); // ends START + 1 day (+ skew back)
    await writeFile(join(sub, 'ca.crt'), ending.certPem);
    await writeFile(join(sub, 'ca.key'), ending.keyPem, { mode: 0o600 });
    const logged: { level: string; msg: string }[] = [];
    const certs = new NodeCertificates({ identity: node, config: { ...none, clusterCa: join(sub, 'ca.crt'), clusterCaKey: join(sub, 'ca.key'), certValidityMs: 16 * HOUR }, clock, logger: recordingLogger(logged) });
    await certs.start();
    assert.equal(logged.filter((l) => l.level === 'warn').length, 0, 'a full validity fits');
    const caEnd = new X509Certificate(ending.certPem).validToDate.getTime();
    await clock.advance(16 * HOUR * RENEW_AT_FRACTION);
    await waitFor(() => certs.notAfterMs === caEnd);
    assert.ok(logged.some((l) => l.level === 'warn' && /the cluster CA expires before a full certificate validity/.test(l.msg)));
    await clock.advance(caEnd - clock.now() + 1000);
    await clock.advance(RENEW_RETRY_MS);
    await waitFor(() => logged.some((l) => l.level === 'error' && /renewing the node certificate failed/.test(l.msg)));
    await certs.stop();
    assert.equal(clock.pending, 0);
  });

  it('self-issue: a renewal that fails (CA file gone) keeps the current certificate and retries', async () => {
    const clock = new ManualClock(START);
    const sub = await mkdtemp(join(dir, 'flaky-'));
    const flakyKey = join(sub, 'ca.key');
    await writeFile(flakyKey, ca.keyPem, { mode: 0o600 });
    const logged: { level: string; msg: string }[] = [];
    const certs = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, clusterCaKey: flakyKey, certValidityMs: 3 * HOUR }, clock, logger: recordingLogger(logged) });
    const renewed: CertificateTriple[] = [];
    certs.onRenewed((t) => renewed.push(t));
    await certs.start();
    const first = certs.current();
    await rm(flakyKey);
    await clock.advance(2 * HOUR);
    await waitFor(() => logged.some((l) => l.level === 'error' && /renewing the node certificate failed/.test(l.msg)));
    assert.equal(certs.current(), first);
    await writeFile(flakyKey, ca.keyPem, { mode: 0o600 });
    await clock.advance(RENEW_RETRY_MS);
    await waitFor(() => renewed.length === 1);
    assert.notEqual(certs.current(), first);
    await certs.stop();
  });

  it('self-issue: a missing CA or key file is a ConfigError naming its variable', async () => {
    const missing = join(dir, 'nope.crt');
    const a = new NodeCertificates({ identity: node, config: { ...none, clusterCa: missing, clusterCaKey: keyFile } });
    await assert.rejects(a.start(), configError('PEERWEAVE_CLUSTER_CA', /nope\.crt cannot be read \(ENOENT\)/));
    const b = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, clusterCaKey: missing } });
    await assert.rejects(b.start(), configError('PEERWEAVE_CLUSTER_CA_KEY', /ENOENT/));
    // A key of another CA than the certificate.
    const other = await createClusterCa();
    const otherKey = join(dir, 'other.key');
    await writeFile(otherKey, other.keyPem, { mode: 0o600 });
    const c = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, clusterCaKey: otherKey } });
    await assert.rejects(c.start(), configError('PEERWEAVE_CLUSTER_CA_KEY', /does not belong/));
  });

  it('out of band: loads a certificate for this node; refuses one for another node, of another CA, expired or missing', async () => {
    const clock = new ManualClock(START);
    const certFile = join(dir, 'node.crt');
    await writeFile(certFile, await issueNodeCertificate(ca, node, { validityMs: 30 * 24 * HOUR, now: new Date(START) }));
    const config = { ...none, clusterCa: caFile, tlsCert: certFile };
    const certs = new NodeCertificates({ identity: node, config, clock });
    await certs.start();
    assert.ok(nodeIdFromCertificate(certs.current()!.certPem).equals(node.id));
    await certs.stop();

    const stranger = Identity.generate();
    const strangerFile = join(dir, 'stranger.crt');
    await writeFile(strangerFile, await issueNodeCertificate(ca, stranger, { now: new Date(START) }));
    await assert.rejects(
      new NodeCertificates({ identity: node, config: { ...config, tlsCert: strangerFile }, clock }).start(),
      configError('PEERWEAVE_TLS_CERT', new RegExp(`is for node ${stranger.id.toHex()}, but this node's key .* is node ${node.id.toHex()}`)),
    );
    const foreignFile = join(dir, 'foreign.crt');
    await writeFile(foreignFile, await issueNodeCertificate(await createClusterCa(), node, { now: new Date(START) }));
    await assert.rejects(new NodeCertificates({ identity: node, config: { ...config, tlsCert: foreignFile }, clock }).start(), configError('PEERWEAVE_TLS_CERT', /PERMISSION_DENIED/));
    const expiredFile = join(dir, 'expired.crt');
    await writeFile(expiredFile, await issueNodeCertificate(ca, node, { validityMs: HOUR, now: new Date(START - 2 * HOUR) }));
    await assert.rejects(new NodeCertificates({ identity: node, config: { ...config, tlsCert: expiredFile }, clock }).start(), configError('PEERWEAVE_TLS_CERT', /expired/));
    await assert.rejects(new NodeCertificates({ identity: node, config: { ...config, tlsCert: join(dir, 'none.crt') }, clock }).start(), configError('PEERWEAVE_TLS_CERT', /ENOENT/));
  });

  it('out of band: warns as expiry nears, and adopts a newer certificate put in place of the file', async () => {
    const clock = new ManualClock(START);
    const certFile = join(dir, 'rolling.crt');
    await writeFile(certFile, await issueNodeCertificate(ca, node, { validityMs: 3 * HOUR, now: new Date(START) }));
    const logged: { level: string; msg: string }[] = [];
    const certs = new NodeCertificates({ identity: node, config: { ...none, clusterCa: caFile, tlsCert: certFile }, clock, logger: recordingLogger(logged) });
    const renewed: CertificateTriple[] = [];
    certs.onRenewed((t) => renewed.push(t));
    await certs.start();
    await clock.advance(2 * HOUR + 60_000);
    await waitFor(() => logged.some((l) => l.level === 'warn' && /expires soon/.test(l.msg)));
    assert.equal(renewed.length, 0);
    const fresh = await issueNodeCertificate(ca, node, { validityMs: 24 * HOUR, now: new Date(clock.now()) });
    await writeFile(certFile, fresh);
    await clock.advance(HOUR);
    await waitFor(() => renewed.length === 1);
    assert.equal(certs.current()!.certPem, fresh);
    await certs.stop();
    assert.equal(clock.pending, 0);
  });

  it('startNode: a node with the CA and its key has a certificate for its own id; a missing CA file stops the start with the variable named', async (t) => {
    const data = await mkdtemp(join(dir, 'data-'));
    const env = { PEERWEAVE_PRESET: 'test', PEERWEAVE_DATA_DIR: data, PEERWEAVE_LOG_LEVEL: 'silent' };
    const started = await startNode({ config: loadNodeConfig({ ...env, PEERWEAVE_CLUSTER_CA: caFile, PEERWEAVE_CLUSTER_CA_KEY: keyFile }) });
    t.after(() => started.stop());
    assert.equal(started.certificates.mode, 'self-issue');
    const { nodeId } = await verifyNodeCertificate(ca.certPem, started.certificates.current()!.certPem);
    assert.equal(nodeId.toHex(), started.id);
    await started.stop();
    await assert.rejects(
      startNode({ config: loadNodeConfig({ ...env, PEERWEAVE_CLUSTER_CA: join(dir, 'gone.crt'), PEERWEAVE_CLUSTER_CA_KEY: keyFile }) }),
      configError('PEERWEAVE_CLUSTER_CA', /gone\.crt cannot be read/),
    );

    // Out of band: a certificate issued for this data directory's key starts it; on another
    // node's data directory the same certificate is refused before anything listens.
    const nodeKey = createPrivateKey(await readFile(join(data, KEY_FILE), 'utf8'));
    const certFile = join(data, 'node.crt');
    await writeFile(certFile, await issueNodeCertificate(ca, new Identity(nodeKey)));
    const outOfBand = { PEERWEAVE_CLUSTER_CA: caFile, PEERWEAVE_TLS_CERT: certFile };
    const again = await startNode({ config: loadNodeConfig({ ...env, ...outOfBand }) });
    t.after(() => again.stop());
    assert.equal(again.certificates.mode, 'out-of-band');
    assert.equal(again.id, started.id);
    await again.stop();
    const otherData = await mkdtemp(join(dir, 'data-'));
    await assert.rejects(startNode({ config: loadNodeConfig({ ...env, PEERWEAVE_DATA_DIR: otherData, ...outOfBand }) }), configError('PEERWEAVE_TLS_CERT', /is for node/));
  });
});
