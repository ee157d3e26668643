/**
 * Certificates for the protocol lib's own tests: a cluster CA and node certificates for fresh
 * Ed25519 keys, shaped as @peerweave/identity issues them (the node's key as the subject key,
 * CN = node id, serverAuth + clientAuth). The protocol lib sits beside identity in the layering and
 * cannot import it, so its tests make their own.
 */
import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
const subtle = webcrypto.subtle;
// @peculiar/x509 is typed against the DOM's Crypto, Node's webcrypto is the same at run time.
const crypto = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1];
const ED25519 = { name: 'Ed25519' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TestCa {
  readonly certPem: string;
  readonly keyPem: string;
  readonly keys: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
}

export interface TestNodeCertificates {
  /** The node id the certificate speaks for: SHA-256 of its raw Ed25519 public key, hex. */
  readonly id: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A self-signed Ed25519 CA, valid from a minute ago for `validityMs` (default a day). */
export async function createTestCa(validityMs = DAY_MS): Promise<TestCa> {
  const keys = (await subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomBytes(8).toString('hex'),
      name: 'CN=Peerweave test CA',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validityMs),
      keys: keys as never,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey), keys, cert };
}

/**
 * A node certificate signed by `ca` for a fresh Ed25519 key (or the key of `keysOf`, as a renewal
 * or a second CA would issue); valid from a minute ago for `validityMs` (default a day).
 */
export async function createTestNodeCertificates(
  ca: TestCa,
  options: { validityMs?: number; keysOf?: TestNodeCertificates } = {},
): Promise<TestNodeCertificates> {
  const validityMs = options.validityMs ?? DAY_MS;
  const keys = options.keysOf === undefined ? ((await subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair) : keysOfPem(options.keysOf.keyPem);
  const raw = new Uint8Array(await subtle.exportKey('raw', keys.publicKey));
  const id = createHash('sha256').update(raw).digest('hex');
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomBytes(8).toString('hex'),
      subject: `CN=${id}`,
      issuer: ca.cert.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validityMs),
      signingKey: ca.keys.privateKey as never,
      publicKey: keys.publicKey as never,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ],
    },
    crypto,
  );
  const pem = await keyPem(keys.privateKey);
  keyPairs.set(pem, keys);
  return { id, caPem: ca.certPem, certPem: cert.toString('pem'), keyPem: pem };
}

const keyPairs = new Map<string, CryptoKeyPair>();

function keysOfPem(pem: string): CryptoKeyPair {
  const pair = keyPairs.get(pem);
  if (pair === undefined) throw new Error('keysOf: certificates made by createTestNodeCertificates only');
  return pair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}
