import { createHash } from 'node:crypto';
import { InvalidCidError, MAX_CID_LENGTH } from '@peerweave/core';
import { CID } from 'multiformats/cid';

/** Multicodec of a raw block (a UnixFS leaf with raw leaves). */
export const RAW_CODE = 0x55;
/** Multicodec of a dag-pb block (a UnixFS inner node or root). */
export const DAG_PB_CODE = 0x70;
/** Multihash code of SHA-256, the only hash this network stores. */
export const SHA2_256_CODE = 0x12;

const DIGEST_BYTES = 32;

/**
 * Parses a CID string: CIDv1 in any multibase multiformats decodes without help (base32 `b…`,
 * base58btc `z…`, base36 `k…`) or CIDv0 `Qm…`. Only the codecs we store (raw, dag-pb) hashed with
 * SHA-256 are accepted, so the placement key is always a 32-byte digest.
 */
export function parseCid(text: string): CID {
  if (typeof text !== 'string') throw new InvalidCidError('a CID must be a string');
  if (text.length === 0) throw new InvalidCidError('empty CID');
  if (text.length > MAX_CID_LENGTH) {
    throw new InvalidCidError(`CID too long: ${text.length} characters, at most ${MAX_CID_LENGTH}`);
  }
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (err) {
    throw new InvalidCidError(`not a CID: ${JSON.stringify(text.slice(0, 80))} (${(err as Error).message})`, {
      cause: err,
    });
  }
  assertSupportedCid(cid);
  return cid;
}

/**
 * Throws InvalidCidError unless `cid` is one this network stores (raw or dag-pb, SHA-256).
 * For CIDs that arrive as objects (read from a CAR, made by the importer) rather than strings.
 */
export function assertSupportedCid(cid: CID): void {
  if (cid.code !== RAW_CODE && cid.code !== DAG_PB_CODE) {
    throw new InvalidCidError(
      `unsupported codec 0x${cid.code.toString(16)} in ${cid.toString()}: only raw (0x55) and dag-pb (0x70)`,
    );
  }
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.length !== DIGEST_BYTES) {
    throw new InvalidCidError(
      `unsupported hash 0x${cid.multihash.code.toString(16)} (${cid.multihash.digest.length} bytes) in ${cid.toString()}: only sha2-256`,
    );
  }
}

/** The canonical string of a CID: CIDv1 in base32 (`b…`); a CIDv0 becomes its CIDv1 dag-pb twin. */
export function cidToString(cid: CID): string {
  return flatten(cid.version === 0 ? cid.toV1().toString() : cid.toString());
}

/**
 * Written by {@link flatten}: a store the optimizer cannot drop, so the conversion that flattens
 * the string always runs.
 */
let _flattenSink = 0;

/**
 * `s`, made one flat string in place. multiformats' base32 encoder builds a CID's string a
 * character at a time (`out += …`), which V8 keeps as a rope of ~45 cons cells until something
 * flattens it: 1.7 KiB per 59-character CID string against 0.3 KiB flat (4 096 leaves of a 1 GiB
 * file: 7.0 against 1.4 MiB of heap, with multiformats caching the string on the CID). Converting
 * to a number flattens (V8's String::ToNumber; the trick of pino's flatstr); the rope's cells
 * become garbage and the string — the one multiformats caches — stays flat.
 */
function flatten(s: string): string {
  _flattenSink = Number(s);
  return s;
}

/**
 * The placement key of a CID: its 32-byte SHA-256 digest, in the same 256-bit space as node ids.
 * A CIDv0 and its CIDv1 twin, and a raw and a dag-pb CID of the same bytes, share a key.
 */
export function cidKey(cid: CID): Uint8Array {
  return Uint8Array.from(cid.multihash.digest);
}

/** {@link cidKey} as 64 lower-case hex digits. */
export function cidKeyHex(cid: CID): string {
  return Buffer.from(cid.multihash.digest.buffer, cid.multihash.digest.byteOffset, cid.multihash.digest.length).toString(
    'hex',
  );
}

/** True when `bytes` hash (SHA-256) to the digest of `cid`: the check every block passes on arrival. */
export function blockMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== SHA2_256_CODE) return false;
  const digest = createHash('sha256').update(bytes).digest();
  return Buffer.compare(digest, cid.multihash.digest) === 0;
}
