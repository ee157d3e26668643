import type { FastifyReply } from 'fastify';
import { AbortError } from '@peerweave/core';

/**
 * A signal that aborts when the client goes away before its response is complete: the response
 * closes unfinished (Node closes it with the socket, also while a request body is still arriving).
 * Once the response has finished, closing is normal and aborts nothing.
 */
export function clientSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  const gone = () => controller.abort(new AbortError('the client closed the connection'));
  if (res.destroyed && !res.writableFinished) {
    gone();
    return controller.signal;
  }
  // 'finish' as well as writableFinished: light-my-request's responses have no socket to flush.
  let finished = false;
  res.once('finish', () => (finished = true));
  res.once('close', () => {
    if (!finished && !res.writableFinished) gone();
  });
  return controller.signal;
}
