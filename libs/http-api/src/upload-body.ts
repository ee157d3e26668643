import { AbortError, PayloadTooLargeError } from '@peerweave/core';

/**
 * A request body handed to `put()` as it arrives, never buffered whole. Throws
 * `PayloadTooLargeError` as soon as it passes `maxBytes` (a chunked body has no Content-Length to
 * check first) and `AbortError` when the connection breaks.
 */
export class UploadBody implements AsyncIterable<Uint8Array> {
  /** Bytes read so far. */
  bytes = 0;
  /** The whole body has been read; when false after the reply, the connection must close. */
  complete = false;
  readonly #source: AsyncIterable<Uint8Array> | undefined;
  readonly #maxBytes: number;

  constructor(source: AsyncIterable<Uint8Array> | undefined, maxBytes: number) {
    this.#source = source;
    this.#maxBytes = maxBytes;
    if (source === undefined) this.complete = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#source === undefined) return;
    const it = this.#source[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await it.next();
        } catch (err) {
          // The only way a request stream fails is the connection breaking mid-body.
          throw new AbortError('the client closed the connection during the upload', { cause: err });
        }
        if (next.done === true) break;
        this.bytes += next.value.byteLength;
        if (this.bytes > this.#maxBytes) {
          throw new PayloadTooLargeError(`object is larger than the limit of ${this.#maxBytes} bytes`);
        }
        yield next.value;
      }
      this.complete = true;
    } finally {
      // Releases the request when put() stops early; Node detaches it from the socket first, so
      // the reply still goes out (with `Connection: close`, set by the route).
      if (!this.complete) await it.return?.();
    }
  }
}
