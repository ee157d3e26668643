import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request log lines, moved from info to debug: at info, every health probe and
 * metrics scrape would write two lines. `PUT /v1/log-level {"level":"debug"}` brings them back.
 * Failures are logged by the error handler, so they stay visible at the default level.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.warn({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, 'route not found');
  }

  override serviceUnavailable(logger: FastifyBaseLogger): void {
    logger.debug({ res: { statusCode: 503 } }, 'refused: server is closing');
  }
}
