/**
 * Reused memory for the frames a GetBlocks stream sends. Every answer is a new 256 KiB frame that
 * grpc-js copies into its own message buffer as soon as it is written, so each block served cost
 * three 256 KiB allocations (the file's bytes, our frame, grpc-js's copy); V8 counts that memory
 * against its heap limits, and the datapath profile of a holder showed half its CPU in mark-compact
 * GCs of a 22 MB heap, one every 10 to 20 blocks. Frames taken from here are handed back once the
 * stream's write callback says the frame went out (a Writable no longer holds a chunk after its
 * callback), so a steady stream reuses the same few buffers.
 *
 * Only frames up to POOLED_FRAME_BYTES are pooled (a 256 KiB block and its header); a bigger one
 * is an ordinary allocation and is never taken back. At most `maxFree` buffers wait for reuse: the
 * pool holds no more than that beyond the frames in flight, and nothing once it is dropped with
 * its stream.
 */

/** Capacity of a pooled frame: a 256 KiB block (the chunk size of our imports) and its header. */
export const POOLED_FRAME_BYTES = 256 * 1024 + 512;

/** Buffers kept for reuse per pool by default (2 MiB). */
export const DEFAULT_MAX_FREE_FRAMES = 8;

export class FramePool {
  readonly #maxFree: number;
  readonly #free: ArrayBuffer[] = [];
  /** Buffers this pool made (a frame of any other memory is never taken back). */
  readonly #ours = new WeakSet<ArrayBuffer>();
  /** Buffers in #free, so a frame given back twice is kept once. */
  readonly #isFree = new WeakSet<ArrayBuffer>();
  /**
   * The frames handed out and not yet given back: a frame given back twice, after its memory went
   * out again as another frame, must not put that memory back while the other frame is in use.
   */
  readonly #out = new WeakSet<Uint8Array>();

  constructor(maxFree: number = DEFAULT_MAX_FREE_FRAMES) {
    if (!Number.isSafeInteger(maxFree) || maxFree < 0) throw new RangeError(`maxFree must be an integer ≥ 0, got ${String(maxFree)}`);
    this.#maxFree = maxFree;
  }

  /** Buffers waiting for reuse. */
  get free(): number {
    return this.#free.length;
  }

  /** A buffer of exactly `size` bytes (uninitialised), reused memory when one is free. */
  readonly take = (size: number): Buffer => {
    if (size > POOLED_FRAME_BYTES) return Buffer.allocUnsafe(size);
    let memory = this.#free.pop();
    if (memory !== undefined) {
      this.#isFree.delete(memory);
    } else {
      memory = new ArrayBuffer(POOLED_FRAME_BYTES);
      this.#ours.add(memory);
    }
    const frame = Buffer.from(memory, 0, size);
    this.#out.add(frame);
    return frame;
  };

  /**
   * Takes a frame back once nothing reads it any more (its write callback ran). Frames this pool
   * did not make, or already given back (even after their memory went out again), are ignored.
   */
  give(frame: Uint8Array): void {
    const memory = frame.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.#ours.has(memory) || this.#isFree.has(memory) || !this.#out.has(frame)) return;
    this.#out.delete(frame);
    if (this.#free.length >= this.#maxFree) return;
    this.#isFree.add(memory);
    this.#free.push(memory);
  }
}
