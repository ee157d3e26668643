/** `n` bytes of the pattern `i % 251`: no two 256 KiB chunks alike (251 is prime to 2^18). */
export function moduloPattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0, v = 0; i < n; i++, v = v === 250 ? 0 : v + 1) bytes[i] = v;
  return bytes;
}

/**
 * `n` bytes of a 64-bit linear congruential generator (Knuth's MMIX constants, seed 1), the top
 * byte of each state: `state = state * 6364136223846793005 + 1442695040888963407 (mod 2^64)`.
 * Computed in 32-bit halves, as BigInt is ~10× slower for 50 MB.
 */
export function lcgPattern(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  const aHi = 0x5851f42d;
  const aLo = 0x4c957f2d;
  const cHi = 0x14057b7e;
  const cLo = 0xf767814f;
  let hi = 0;
  let lo = 1;
  for (let i = 0; i < n; i++) {
    // (hi:lo) * (aHi:aLo) + (cHi:cLo), mod 2^64.
    const productLo = mul32(lo, aLo);
    const sumLo = productLo.lo + cLo;
    const carry = sumLo >= 0x1_0000_0000 ? 1 : 0;
    const newHi = (productLo.hi + Math.imul(hi, aLo) + Math.imul(lo, aHi) + cHi + carry) >>> 0;
    lo = sumLo >>> 0;
    hi = newHi;
    bytes[i] = hi >>> 24;
  }
  return bytes;
}

/** Full 64-bit product of two unsigned 32-bit numbers, as two unsigned 32-bit halves. */
function mul32(a: number, b: number): { hi: number; lo: number } {
  const a1 = a >>> 16;
  const a0 = a & 0xffff;
  const b1 = b >>> 16;
  const b0 = b & 0xffff;
  const p00 = a0 * b0;
  const mid = a1 * b0 + a0 * b1 + (p00 >>> 16);
  const lo = ((mid & 0xffff) * 0x10000 + (p00 & 0xffff)) >>> 0;
  const hi = (a1 * b1 + Math.floor(mid / 0x10000)) >>> 0;
  return { hi, lo };
}

/** `bytes` as a stream of pieces of `pieceSize` (not aligned to chunks on purpose). */
export async function* piecesOf(bytes: Uint8Array, pieceSize = 100_003): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    yield bytes.subarray(offset, offset + pieceSize);
  }
}

/** Concatenates a byte stream. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of source) {
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
