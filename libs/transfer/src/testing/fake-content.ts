import { createHash } from 'node:crypto';
import type { WantedBlock } from '../block-source.ts';

/** Blocks to serve and check, as the fake sources and the swarm's `verify` see them. */
export interface FakeContent {
  /** The blocks in reading order. */
  readonly blocks: readonly WantedBlock[];
  /** The bytes of a block, or undefined when the CID is not part of this content. */
  get(cid: string): Uint8Array | undefined;
  verify(cid: string, bytes: Uint8Array): boolean;
}

/**
 * Content cut into blocks whose CIDs are the hex SHA-256 of their bytes, as a real hash check
 * would see them. Holds every block: for small objects.
 */
export function hashedContent(data: Uint8Array, blockSize: number): FakeContent & { readonly data: Uint8Array } {
  const byCid = new Map<string, Uint8Array>();
  const blocks: WantedBlock[] = [];
  for (let offset = 0; offset < data.length; offset += blockSize) {
    const bytes = data.subarray(offset, Math.min(data.length, offset + blockSize));
    const cid = `sha256-${sha256(bytes)}`;
    byCid.set(cid, bytes);
    blocks.push({ cid, bytes: bytes.length });
  }
  return {
    data,
    blocks,
    get: (cid) => byCid.get(cid),
    verify: (cid, bytes) => cid === `sha256-${sha256(bytes)}`,
  };
}

/**
 * `count` blocks of `blockSize` pseudo-random bytes, generated on demand from their index and
 * never kept: a 1 GiB object costs no memory until a block is asked for. `verify` regenerates the
 * block and compares, which catches any changed byte as a hash would.
 */
export function generatedContent(count: number, blockSize: number, seed = 1): FakeContent {
  const prefix = `gen${seed}-`;
  const blocks: WantedBlock[] = Array.from({ length: count }, (_, i) => ({ cid: `${prefix}${i}`, bytes: blockSize }));
  const indexOf = (cid: string): number | undefined => {
    if (!cid.startsWith(prefix)) return undefined;
    const i = Number(cid.slice(prefix.length));
    return Number.isInteger(i) && i >= 0 && i < count ? i : undefined;
  };
  const get = (cid: string): Uint8Array | undefined => {
    const i = indexOf(cid);
    return i === undefined ? undefined : generateBlock(seed, i, blockSize);
  };
  return {
    blocks,
    get,
    verify: (cid, bytes) => {
      const expected = get(cid);
      return expected !== undefined && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(expected);
    },
  };
}

/**
 * Deterministic bytes for block `index`: a 64 KiB pseudo-random pattern (xorshift32, per seed)
 * repeated, with the block index and page number stamped at the start of every 4 KiB page, so no
 * two blocks or pages are alike. Copying a cached pattern keeps a 1 GiB run fast.
 */
export function generateBlock(seed: number, index: number, size: number): Uint8Array {
  const pattern = patternFor(seed);
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += pattern.length) {
    bytes.set(pattern.subarray(0, Math.min(pattern.length, size - offset)), offset);
  }
  const view = new DataView(bytes.buffer);
  for (let page = 0; page * PAGE + 8 <= size; page++) {
    view.setUint32(page * PAGE, index);
    view.setUint32(page * PAGE + 4, page);
  }
  return bytes;
}

const PAGE = 4096;
const patterns = new Map<number, Uint8Array>();

function patternFor(seed: number): Uint8Array {
  let pattern = patterns.get(seed);
  if (pattern === undefined) {
    pattern = new Uint8Array(64 * 1024);
    const words = new Uint32Array(pattern.buffer);
    let x = seed >>> 0 || 1;
    for (let k = 0; k < words.length; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[k] = x >>> 0;
    }
    patterns.set(seed, pattern);
  }
  return pattern;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
