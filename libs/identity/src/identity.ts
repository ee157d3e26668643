import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, NodeId } from '@peerweave/core';

/** File in the data directory that holds the node's private key (PKCS#8 PEM, mode 0600). */
export const KEY_FILE = 'identity.key';

/**
 * A node's identity: an Ed25519 key pair and the id derived from it (SHA-256 of the raw 32-byte
 * public key, as a libp2p peer id is derived from its key). A node cannot speak for another id
 * without that id's private key.
 */
export class Identity {
  readonly id: NodeId;
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new ConfigError(`identity key must be ed25519, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
    }
    this.#privateKey = privateKey;
    this.publicKey = rawPublicKey(createPublicKey(privateKey));
    this.id = nodeIdFromPublicKey(this.publicKey);
  }

  static generate(): Identity {
    return new Identity(generateKeyPairSync('ed25519').privateKey);
  }

  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, data, this.#privateKey));
  }

  toPem(): string {
    return this.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }
}

/** The node id of a raw Ed25519 public key. */
export function nodeIdFromPublicKey(publicKey: Uint8Array): NodeId {
  return new NodeId(new Uint8Array(createHash('sha256').update(publicKey).digest()));
}

/** Checks an Ed25519 signature made by the holder of `publicKey` (raw 32 bytes). */
export function verifySignature(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  try {
    return verify(null, data, keyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/**
 * Parsed public keys, by their hex: a replica verifies a record of the same few uploaders over and
 * over, and parsing the DER key cost about as much as the verification itself. Bounded: cleared
 * when it holds KEY_CACHE_SIZE keys.
 */
const KEY_CACHE_SIZE = 1024;
const keyObjects = new Map<string, KeyObject>();

function keyObject(publicKey: Uint8Array): KeyObject {
  const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex');
  let key = keyObjects.get(hex);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    if (keyObjects.size >= KEY_CACHE_SIZE) keyObjects.clear();
    keyObjects.set(hex, key);
  }
  return key;
}

// DER prefix of an SPKI-wrapped Ed25519 public key (RFC 8410); the raw key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ type: 'spki', format: 'der' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/**
 * Loads the node's key from `dataDir`, creating it on first start. The key is written to a
 * temporary file with mode 0600, fsynced and renamed, so a crash never leaves a half-written key
 * (which would silently change the node's id on the next start).
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<Identity> {
  const path = join(dataDir, KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (pem !== undefined) {
    const mode = (await stat(path)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ConfigError(`${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    }
    try {
      return new Identity(createPrivateKey(pem));
    } catch (err) {
      throw new ConfigError(`${path} does not hold a valid Ed25519 private key`, { cause: err });
    }
  }
  const identity = Identity.generate();
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(identity.toPem());
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  } catch (err) {
    throw new ConfigError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
  return identity;
}
