/**
 * Chunks of a byte stream whose memory is freed as soon as the consumer has written them out,
 * instead of when the garbage collector gets to them.
 *
 * An object read moves its bytes as 256 KiB Buffers, each alive for the few milliseconds between
 * its arrival and the socket taking it: long enough to outlive a scavenge, so they are promoted
 * and only a full GC frees them. A 1 GiB read left up to 120 MiB of such Buffers waiting (the
 * reader's RSS grew by 110+ MiB; V8 counts their memory toward its heap limit, so a full GC comes
 * late). The producer, which alone knows that nothing else holds a chunk's memory, registers a
 * release for it; the consumer calls {@link releaseChunk} once the chunk has left (the HTTP
 * response's write callback). A consumer that never calls it changes nothing: the GC frees the
 * chunk as before. A chunk with no release registered is left alone.
 */

const releases = new WeakMap<Uint8Array, () => void>();

/** Registers what frees `chunk`'s memory once its consumer is done with it; returns `chunk`. */
export function releasableChunk<T extends Uint8Array>(chunk: T, release: () => void): T {
  releases.set(chunk, release);
  return chunk;
}

/** Tells `chunk`'s producer its consumer is done with it (runs its release once; a no-op without one). */
export function releaseChunk(chunk: Uint8Array): void {
  const release = releases.get(chunk);
  if (release === undefined) return;
  releases.delete(chunk);
  release();
}

/**
 * Bytes of the backing store besides the view for it still to count as the view's own (a framed
 * message: a block's bytes after a header of a few dozen bytes).
 */
export const OWN_BUFFER_SLACK_BYTES = 1024;
/** Below this a view may be a slice of Node's shared 8 KiB Buffer pool: never its own. */
export const OWN_BUFFER_MIN_BYTES = 8 * 1024;

const ownBuffers = new WeakSet<Uint8Array>();

/**
 * Declares that `bytes` is the one view of memory allocated for it alone, e.g. the payload of a
 * message the transport reassembled into a new Buffer, so that whoever ends up with it may free
 * it ({@link freeBuffer}). Only the code that allocated the memory can know this: a view handed
 * over by an in-memory transport may be the sender's stored copy. Ignored (the view is not
 * marked) unless `bytes` spans all but {@link OWN_BUFFER_SLACK_BYTES} of its backing store and is
 * too big to be a slice of Node's Buffer pool.
 */
export function markOwnBuffer(bytes: Uint8Array): void {
  const store = bytes.buffer;
  if (store instanceof ArrayBuffer && bytes.byteLength >= OWN_BUFFER_MIN_BYTES && store.byteLength - bytes.byteLength <= OWN_BUFFER_SLACK_BYTES) {
    ownBuffers.add(bytes);
  }
}

/** True when `bytes` was declared the only view of its memory ({@link markOwnBuffer}). */
export function hasOwnBuffer(bytes: Uint8Array): boolean {
  return ownBuffers.has(bytes);
}

/**
 * Frees the memory behind `bytes` now: its ArrayBuffer is detached (ES2024 `transfer(0)`), so
 * every view of it, `bytes` included, reads as empty from here on. Only for a store nothing else
 * uses ({@link hasOwnBuffer}, and no one it was handed to kept it). False when it could not be (not
 * detachable, or already detached).
 */
export function freeBuffer(bytes: Uint8Array): boolean {
  const store = bytes.buffer as ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer; readonly detached?: boolean };
  if (typeof store.transfer !== 'function' || store.detached === true) return false;
  try {
    store.transfer(0);
    return true;
  } catch {
    return false;
  }
}
