import { Readable, type Writable } from 'node:stream';
import { InternalError, releaseChunk } from '@peerweave/core';

/**
 * Turns a callback's byte stream into a response body, reading the first chunk before returning
 * so that an early failure (not found, invalid CID) is still a normal error reply, not a broken
 * 200. A failure after that, or a stream that yields more or fewer than `expectedBytes`, errors
 * the body, and Fastify destroys the socket: the client sees a truncated response, never a
 * silently short one. Once the client has gone (`signal` aborted) errors are expected and dropped.
 */
export async function startStream(
  source: AsyncIterable<Uint8Array>,
  expectedBytes: number | undefined,
  signal: AbortSignal,
): Promise<Readable> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  return new ObjectBody(it, first, expectedBytes, signal);
}

/**
 * Bodies up to this many bytes (one UnixFS chunk: every one-block object) are read whole and sent
 * as one Buffer ({@link readWhole}) instead of through a stream: the response then goes out in one
 * write with its length known, without a Readable, a pipe and a callback per chunk, which cost
 * more than the bytes for a 4 KiB object. At most this much is held per response.
 */
export const BUFFERED_BODY_MAX_BYTES = 256 * 1024;

/**
 * All of `source`, which must be `expectedBytes` long (InternalError otherwise, before anything
 * is sent), as one Buffer: the chunk itself when there is one, else a copy (each chunk released
 * once copied, see releaseChunk).
 */
export async function readWhole(source: AsyncIterable<Uint8Array>, expectedBytes: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > expectedBytes) throw new InternalError(`stream is longer than the ${expectedBytes} bytes announced`);
    chunks.push(chunk);
  }
  if (total !== expectedBytes) throw new InternalError(`stream ended after ${total} of the ${expectedBytes} bytes announced`);
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }
  const whole = Buffer.concat(chunks, total);
  for (const chunk of chunks) releaseChunk(chunk);
  return whole;
}

/**
 * A response body that writes its chunks to the response itself. Fastify pipes a stream body
 * into the response; this one, once piped, never emits data through the pipe: it calls the
 * response's write with a callback per chunk, waits for 'drain' when the write says so, and ends
 * the pipe when the source is done (so the pipe ends the response). The callback is how a chunk's
 * producer learns that the socket has taken it (releaseChunk): a 1 GiB read's 256 KiB blocks are
 * freed as they leave instead of piling up for a full GC. Not piped (read by other means), it is
 * an ordinary readable of the same chunks.
 */
class ObjectBody extends Readable {
  readonly #it: AsyncIterator<Uint8Array>;
  #next: IteratorResult<Uint8Array> | undefined;
  readonly #expectedBytes: number | undefined;
  readonly #signal: AbortSignal;
  #dest: Writable | undefined;
  #pumping = false;
  /** Resolves the pump's wait for the consumer: a _read (not piped), 'drain', or the end of either side. */
  #wake: (() => void) | undefined;
  /** The source has nothing more to give (it ended, threw, or was returned): no return() due. */
  #sourceDone = false;

  constructor(it: AsyncIterator<Uint8Array>, first: IteratorResult<Uint8Array>, expectedBytes: number | undefined, signal: AbortSignal) {
    super();
    this.#it = it;
    this.#next = first;
    this.#expectedBytes = expectedBytes;
    this.#signal = signal;
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (this.#dest === undefined && !this.#pumping && isWritable(destination)) this.#dest = destination;
    return super.pipe(destination, options);
  }

  override _read(): void {
    if (this.#pumping) {
      this.#wakeUp();
      return;
    }
    this.#pumping = true;
    void this.#pump();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#wakeUp();
    if (this.#sourceDone) {
      callback(err);
      return;
    }
    // The client went away, the response failed, or the source broke its length: stop the
    // source (its finally blocks run).
    this.#sourceDone = true;
    this.#it.return?.().then(
      () => callback(err),
      () => callback(err),
    );
  }

  async #pump(): Promise<void> {
    let sent = 0;
    try {
      let next = this.#next!;
      this.#next = undefined;
      while (next.done !== true) {
        if (this.destroyed) return;
        const chunk = next.value;
        sent += chunk.byteLength;
        if (this.#expectedBytes !== undefined && sent > this.#expectedBytes) {
          throw new InternalError(`stream is longer than the ${this.#expectedBytes} bytes announced`);
        }
        await this.#send(chunk);
        if (this.destroyed) return;
        next = await this.#nextOfSource();
      }
      this.#sourceDone = true;
      if (this.#expectedBytes !== undefined && sent !== this.#expectedBytes) {
        throw new InternalError(`stream ended after ${sent} of the ${this.#expectedBytes} bytes announced`);
      }
      this.push(null);
    } catch (err) {
      if (this.destroyed) return;
      if (this.#signal.aborted) this.push(null);
      else this.destroy(err as Error);
    }
  }

  /** The source's next chunk; a source that throws is done. */
  async #nextOfSource(): Promise<IteratorResult<Uint8Array>> {
    try {
      return await this.#it.next();
    } catch (err) {
      this.#sourceDone = true;
      throw err;
    }
  }

  /** Hands one chunk to the consumer and waits while it is full. */
  async #send(chunk: Uint8Array): Promise<void> {
    const dest = this.#dest;
    if (dest === undefined) {
      if (!this.push(chunk)) await this.#waitFor();
      return;
    }
    if (dest.destroyed || dest.writableEnded) {
      this.destroy();
      return;
    }
    if (dest.write(chunk, () => releaseChunk(chunk))) return;
    const wake = (): void => this.#wakeUp();
    dest.once('drain', wake).once('close', wake);
    try {
      await this.#waitFor();
    } finally {
      dest.off('drain', wake).off('close', wake);
    }
    if (dest.destroyed) this.destroy();
  }

  #waitFor(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function isWritable(stream: NodeJS.WritableStream): stream is NodeJS.WritableStream & Writable {
  return typeof (stream as Partial<Writable>).once === 'function' && typeof (stream as Partial<Writable>).off === 'function';
}
