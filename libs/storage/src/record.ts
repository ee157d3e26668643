import { InvalidArgumentError, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, type ObjectRecord } from '@peerweave/core';
import { nodeIdFromPublicKey, verifySignature } from '@peerweave/identity';

/** A record as the uploading node fills it in, before it adds its key and signature. */
export type UnsignedRecord = Omit<ObjectRecord, 'signature' | 'uploader' | 'uploaderKey'>;

/** What signs a record: `Identity` from @peerweave/identity, or a test double. */
export interface RecordSigner {
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Uint8Array;
}

/**
 * Domain separation: a signature over a record can never be replayed as a signature over some
 * other message the node signs. Bump the version when the canonical form changes.
 */
const SIGNING_CONTEXT = 'peerweave.object-record.v1\n';

/**
 * The bytes a record's signature covers: the context line, then JSON of every field but the
 * signature in a fixed order, keywords in the order given, the key in base64. Deterministic, so
 * any node recomputes them exactly from the record it received.
 */
export function recordSigningBytes(record: Omit<ObjectRecord, 'signature'>): Uint8Array {
  return signingBytesOf(canonicalRecord(record));
}

const encoder = new TextEncoder();

function signingBytesOf(canonical: string): Uint8Array {
  return encoder.encode(SIGNING_CONTEXT + canonical);
}

function canonicalRecord(record: Omit<ObjectRecord, 'signature'>): string {
  return JSON.stringify([
    record.cid,
    record.name,
    record.contentType,
    record.size,
    record.blocks,
    [...record.keywords],
    record.createdMs,
    record.uploader,
    Buffer.from(record.uploaderKey).toString('base64'),
  ]);
}

/** Signs a record as `identity`: it becomes the uploader (node id = SHA-256 of its public key). */
export function signRecord(record: UnsignedRecord, identity: RecordSigner): ObjectRecord {
  const uploaderKey = Uint8Array.from(identity.publicKey);
  const unsigned: Omit<ObjectRecord, 'signature'> = {
    cid: record.cid,
    name: record.name,
    contentType: record.contentType,
    size: record.size,
    blocks: record.blocks,
    keywords: [...record.keywords],
    createdMs: record.createdMs,
    uploader: nodeIdFromPublicKey(uploaderKey).toHex(),
    uploaderKey,
  };
  return { ...unsigned, signature: identity.sign(recordSigningBytes(unsigned)) };
}

/**
 * Records that verified lately, by their signature and every byte it covers (an exact key: a copy
 * that differs in any field, key or signature byte is a different key and is verified afresh).
 * A read asks all r replicas for the record and gets r equal copies, and every node handles the
 * same record several times (the put, the read, repair, anti-entropy); an Ed25519 verification
 * costs ~0.1 ms of CPU, the key a few µs. Bounded: about 0.5 KiB an entry. Only successes are kept,
 * so junk sent by a peer never evicts anything useful cheaply: it must carry a valid signature.
 */
const VERIFIED_CACHE_ENTRIES = 1024;
const verified = new Set<string>();

/**
 * True when the record is well-formed, its uploader is the id of its key and its signature
 * verifies. Never throws: records arrive from other nodes.
 */
export function verifyRecord(record: ObjectRecord): boolean {
  try {
    if (!isWellFormed(record)) return false;
    const canonical = canonicalRecord(record);
    const key = `${Buffer.from(record.signature).toString('base64')}\n${canonical}`;
    if (verified.has(key)) {
      // Most recently used last: the oldest entry is the one evicted.
      verified.delete(key);
      verified.add(key);
      return true;
    }
    if (nodeIdFromPublicKey(record.uploaderKey).toHex() !== record.uploader) return false;
    if (!verifySignature(record.uploaderKey, signingBytesOf(canonical), record.signature)) return false;
    verified.add(key);
    if (verified.size > VERIFIED_CACHE_ENTRIES) verified.delete(verified.values().next().value!);
    return true;
  } catch {
    return false;
  }
}

function isWellFormed(record: ObjectRecord): boolean {
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.cid === 'string' &&
    typeof record.name === 'string' &&
    typeof record.contentType === 'string' &&
    Number.isSafeInteger(record.size) &&
    Number.isSafeInteger(record.blocks) &&
    Array.isArray(record.keywords) &&
    record.keywords.every((k) => typeof k === 'string') &&
    Number.isSafeInteger(record.createdMs) &&
    typeof record.uploader === 'string' &&
    record.uploaderKey instanceof Uint8Array &&
    record.uploaderKey.length === 32 &&
    record.signature instanceof Uint8Array
  );
}

/**
 * Keywords as records and search keep them: split on commas and whitespace, NFC, lower-case,
 * empties dropped, duplicates dropped (first one kept, order kept). More than MAX_KEYWORDS or one
 * longer than MAX_KEYWORD_LENGTH characters is refused rather than silently cut.
 */
export function normaliseKeywords(input: string | readonly string[]): string[] {
  const pieces = typeof input === 'string' ? [input] : input;
  const keywords: string[] = [];
  const seen = new Set<string>();
  for (const piece of pieces) {
    if (typeof piece !== 'string') throw new InvalidArgumentError('keywords must be strings');
    for (const raw of piece.split(/[\s,]+/u)) {
      const keyword = raw.normalize('NFC').toLowerCase().trim();
      if (keyword === '' || seen.has(keyword)) continue;
      const length = [...keyword].length;
      if (length > MAX_KEYWORD_LENGTH) {
        throw new InvalidArgumentError(
          `keyword "${keyword.slice(0, 20)}…" is ${length} characters long, at most ${MAX_KEYWORD_LENGTH}`,
        );
      }
      seen.add(keyword);
      keywords.push(keyword);
    }
  }
  if (keywords.length > MAX_KEYWORDS) {
    throw new InvalidArgumentError(`${keywords.length} keywords, at most ${MAX_KEYWORDS}`);
  }
  return keywords;
}
