import { X509Certificate as NodeX509Certificate, createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from './x509.ts';
import { InvalidArgumentError, PeerweaveError, type NodeId } from '@peerweave/core';
import { nodeIdFromPublicKey, type Identity } from './identity.ts';

/**
 * A cluster certificate authority: who holds `keyPem` admits nodes (it can issue them
 * certificates); who holds `certPem` can check them. Both PEM; the key is PKCS#8 Ed25519.
 */
export interface ClusterCa {
  certPem: string;
  keyPem: string;
}

/** What TLS needs to present this node and check its peers. */
export interface CertificateTriple {
  /** The cluster CA certificate(s): one PEM block, or several during a rotation. */
  caPem: string;
  /** This node's certificate, issued by the cluster CA for its own Ed25519 key. */
  certPem: string;
  /** This node's Ed25519 private key (PKCS#8 PEM). */
  keyPem: string;
}

/** A CA lives long: rotating it touches every node. */
export const DEFAULT_CA_VALIDITY_DAYS = 3650;
/** Node certificates live a day and are renewed at 2/3 of that: a leaked one expires soon. */
export const DEFAULT_NODE_CERT_VALIDITY_MS = 24 * 60 * 60 * 1000;
/** notBefore is set this far in the past so a peer whose clock is a little behind accepts it. */
export const CLOCK_SKEW_MS = 60 * 1000;
export const DEFAULT_CA_COMMON_NAME = 'Peerweave cluster CA';
/** SAN URI scheme naming the node a certificate speaks for: `peerweave:node:<64 hex>`. */
export const NODE_URI_PREFIX = 'peerweave:node:';

// WebCrypto from node itself, passed explicitly to every @peculiar/x509 call (no global provider).
const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const ED25519 = { name: 'Ed25519' } as const;
const MAX_VALIDITY_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/** Makes a new cluster CA: an Ed25519 key and its self-signed CA certificate. */
export async function createClusterCa(
  options: { commonName?: string; validityDays?: number; now?: Date } = {},
): Promise<ClusterCa> {
  const validityDays = options.validityDays ?? DEFAULT_CA_VALIDITY_DAYS;
  checkValidity(validityDays * 24 * 60 * 60 * 1000, 'validityDays');
  const commonName = options.commonName ?? DEFAULT_CA_COMMON_NAME;
  if (commonName.length === 0 || commonName.length > 64 || /[,+="\\<>;#\n\r\0]/.test(commonName)) {
    throw new InvalidArgumentError('commonName must be 1-64 characters without DN special characters');
  }
  const now = options.now ?? new Date();
  const keys = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: [{ CN: [commonName] }],
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter: new Date(now.getTime() + validityDays * 24 * 60 * 60 * 1000),
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n' };
}

/**
 * Issues a certificate for a node's own Ed25519 key: subject CN = its node id in hex, SAN URI
 * `peerweave:node:<id>`, for both ends of TLS (serverAuth + clientAuth), not a CA, ending no later
 * than the CA (FAILED_PRECONDITION once the CA has expired). The id is not
 * trusted from the certificate's names: a verifier derives it from the key (nodeIdFromCertificate).
 * If `ca.certPem` holds several certificates (a rotation bundle), the one matching `ca.keyPem` signs.
 */
export async function issueNodeCertificate(
  ca: ClusterCa,
  identity: { publicKey: Uint8Array },
  options: { validityMs?: number; now?: Date } = {},
): Promise<string> {
  const validityMs = options.validityMs ?? DEFAULT_NODE_CERT_VALIDITY_MS;
  checkValidity(validityMs, 'validityMs');
  if (!(identity.publicKey instanceof Uint8Array) || identity.publicKey.length !== 32) {
    throw new InvalidArgumentError('node public key must be 32 raw Ed25519 bytes');
  }
  const now = options.now ?? new Date();
  const caKey = parseCaKey(ca.keyPem);
  const caCert = caCertificateForKey(ca.certPem, caKey);
  const signingKey = await crypto.subtle.importKey('pkcs8', caKey.export({ type: 'pkcs8', format: 'der' }), ED25519, false, ['sign']);
  const subjectKey = await crypto.subtle.importKey('raw', identity.publicKey, ED25519, true, ['verify']);
  const id = nodeIdFromPublicKey(identity.publicKey).toHex();
  // A certificate outliving its CA would fail every check after the CA's end: end with it instead.
  const caNotAfter = caCert.validToDate;
  if (caNotAfter.getTime() <= now.getTime()) {
    throw new PeerweaveError('FAILED_PRECONDITION', `the CA certificate expired at ${caNotAfter.toISOString()}: make a new CA`);
  }
  const notAfter = new Date(Math.min(now.getTime() + validityMs, caNotAfter.getTime()));
  const issuer = new x509.X509Certificate(caCert.raw);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: [{ CN: [id] }],
      issuer: issuer.subjectName,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter,
      publicKey: subjectKey,
      signingKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `${NODE_URI_PREFIX}${id}` }], false),
        await x509.AuthorityKeyIdentifierExtension.create(issuer, false, crypto),
      ],
    },
    crypto,
  );
  return cert.toString('pem') + '\n';
}

/**
 * The node id a certificate's key hashes to: SHA-256 of its raw 32-byte Ed25519 public key, the
 * same as nodeIdFromPublicKey. Synchronous and cheap: it runs on every TLS connection. Throws
 * INVALID_ARGUMENT for anything but a well-formed certificate with an Ed25519 key.
 */
export function nodeIdFromCertificate(cert: string | Uint8Array): NodeId {
  return nodeIdFromPublicKey(ed25519PublicKey(parseCertificate(cert, 'certificate')));
}

/**
 * Checks that `certPem` is a node certificate issued by the cluster CA (`caPem`: one certificate,
 * or a bundle during a rotation, any of which may have issued it) and valid at `now`.
 * INVALID_ARGUMENT: malformed, not Ed25519, or a CA certificate; PERMISSION_DENIED: another CA
 * issued it; FAILED_PRECONDITION: expired or not yet valid.
 */
export async function verifyNodeCertificate(
  caPem: string,
  certPem: string,
  now: Date = new Date(),
): Promise<{ nodeId: NodeId; notAfter: Date }> {
  const cas = parseCertificates(caPem, 'CA certificate');
  const cert = parseCertificate(certPem, 'node certificate');
  const nodeId = nodeIdFromPublicKey(ed25519PublicKey(cert));
  if (cert.ca) throw new InvalidArgumentError('a CA certificate is not a node certificate');
  const issuedByCluster = cas.some((ca) => ca.ca && cert.checkIssued(ca) && safeVerify(cert, ca.publicKey));
  if (!issuedByCluster) {
    throw new PeerweaveError('PERMISSION_DENIED', `certificate of node ${nodeId.toHex()} was not issued by the cluster CA`);
  }
  const notBefore = cert.validFromDate;
  const notAfter = cert.validToDate;
  if (now < notBefore) {
    throw new PeerweaveError('FAILED_PRECONDITION', `certificate is not valid before ${notBefore.toISOString()}`);
  }
  if (now > notAfter) {
    throw new PeerweaveError('FAILED_PRECONDITION', `certificate expired at ${notAfter.toISOString()}`);
  }
  return { nodeId, notAfter };
}

/** The node's Ed25519 private key as PKCS#8 PEM, the form TLS takes. */
export function privateKeyPem(identity: Identity): string {
  return identity.toPem();
}

/** Each PEM certificate block in `pem`, in order. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function parseCertificate(cert: string | Uint8Array, what: string): NodeX509Certificate {
  try {
    return new NodeX509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert.buffer, cert.byteOffset, cert.byteLength));
  } catch (err) {
    throw new InvalidArgumentError(`malformed ${what}`, { cause: err });
  }
}

function parseCertificates(pem: string, what: string): NodeX509Certificate[] {
  const blocks = splitPemCertificates(pem);
  if (blocks.length === 0) throw new InvalidArgumentError(`${what}: no PEM certificate found`);
  return blocks.map((b) => parseCertificate(b, what));
}

function ed25519PublicKey(cert: NodeX509Certificate): Uint8Array {
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidArgumentError(`certificate key must be Ed25519, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  const jwk = key.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  if (raw.length !== 32) throw new InvalidArgumentError('certificate Ed25519 key is not 32 bytes');
  return new Uint8Array(raw);
}

function safeVerify(cert: NodeX509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

function parseCaKey(keyPem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new InvalidArgumentError('malformed CA key (expected a PKCS#8 PEM private key)', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidArgumentError(`CA key must be Ed25519, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/** The CA certificate (of a bundle) whose public key is the CA key's. */
function caCertificateForKey(certPem: string, key: KeyObject): NodeX509Certificate {
  const publicDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const match = parseCertificates(certPem, 'CA certificate').find((c) =>
    c.publicKey.export({ type: 'spki', format: 'der' }).equals(publicDer),
  );
  if (match === undefined) throw new InvalidArgumentError('the CA key does not belong to any certificate in the CA file');
  if (!match.ca) throw new InvalidArgumentError('the CA certificate is not a CA (basicConstraints CA:false)');
  return match;
}

function checkValidity(ms: number, name: string): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_VALIDITY_MS) {
    throw new InvalidArgumentError(`${name} must be positive and at most 100 years`);
  }
}

/** A random positive 128-bit serial (RFC 5280: unique per CA, at most 20 octets, positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
