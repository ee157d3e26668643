import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@peerweave/core';
import { codeOfHttpStatus } from './error-catalogue.ts';
import type { ErrorBody } from './error-reply.ts';

/**
 * Answers requests Node's HTTP parser rejects before Fastify sees them (malformed request line,
 * oversized headers, header timeout) in the same `{ code, message }` shape as every other error.
 * Mirrors Fastify's default handler, which writes its own shape.
 */
export function createClientErrorHandler(logger: Logger): (err: NodeJS.ErrnoException, socket: Duplex) => void {
  return (err, socket) => {
    // A reset socket is gone; there is nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let status = 400;
    let message = 'malformed HTTP request';
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      message = 'request was not received in time';
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      message = 'request headers are too large';
    }
    // Mostly scanners and broken load balancers: not worth more than trace.
    logger.trace({ err }, 'client error');
    if (socket.writable) {
      const body: ErrorBody = { code: codeOfHttpStatus(status), message };
      const json = JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
      );
    }
    socket.destroy(err);
  };
}
