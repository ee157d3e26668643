import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PeerweaveError } from '@peerweave/core';
import { routeNotFoundMessage, toErrorReply } from './error-reply.ts';
import { RouteIndex } from './route-index.ts';

/**
 * Puts every error the app can produce into `{ code, message }`: thrown errors and Fastify's own
 * (through the error handler), unmatched routes (404, or 405 with `Allow`), framework errors
 * raised before routing (`frameworkErrors` in the Fastify options calls {@link sendError}), and
 * requests arriving while the server drains (503 SHUTTING_DOWN, replacing Fastify's
 * `return503OnClosing` body). Call on the root instance before any route is added.
 *
 * While closing, every response also carries `Connection: close`, so `close()` need not wait for
 * idle keep-alive connections to time out.
 */
export function installErrorHandling(app: FastifyInstance, defaultBodyLimit: number): void {
  const routes = new RouteIndex();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Lets a client quote the id of a masked 500 so the operator finds the logged error.
    void reply.header('x-request-id', request.id);
    if (closing) {
      void reply.header('connection', 'close');
      done(new PeerweaveError('SHUTTING_DOWN', 'server is shutting down'));
      return;
    }
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Requests already running when the close began: their keep-alive connection would otherwise
    // hold `close()` open until the keep-alive timeout.
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply, defaultBodyLimit));

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allowed = routes.allowedMethods(path);
    if (allowed.length === 0) throw new PeerweaveError('NOT_FOUND', routeNotFoundMessage(request.method, path));
    void reply.header('allow', allowed.join(', '));
    throw new PeerweaveError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`);
  });
}

export function sendError(
  err: FastifyError | Error | unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  defaultBodyLimit?: number,
): FastifyReply {
  const out = toErrorReply(err, {
    method: request.method,
    path: pathOf(request.url),
    contentType: request.headers['content-type'],
    bodyLimit: request.routeOptions.bodyLimit ?? defaultBodyLimit,
  });
  if (out.masked) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: out.body.code, reason: out.body.message }, 'request rejected');
  // The route may have set another content type (e.g. /metrics) before it failed.
  return reply.code(out.status).type('application/json; charset=utf-8').send(out.body);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
