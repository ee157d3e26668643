import { Readable } from 'node:stream';
import { InternalError } from '@peerweave/core';

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

  async function* body(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    let finished = false;
    try {
      let next = first;
      while (next.done !== true) {
        sent += next.value.byteLength;
        if (expectedBytes !== undefined && sent > expectedBytes) {
          throw new InternalError(`stream is longer than the ${expectedBytes} bytes announced`);
        }
        yield next.value;
        next = await it.next();
      }
      finished = true;
      if (expectedBytes !== undefined && sent !== expectedBytes) {
        throw new InternalError(`stream ended after ${sent} of the ${expectedBytes} bytes announced`);
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      if (!finished) await it.return?.();
    }
  }
  return Readable.from(body(), { objectMode: false });
}
