import { NotReadyError, type Startable } from '@peerweave/core';
import { ApiTokensFile, buildNodeApi, type NodeApiInit } from '@peerweave/http-api';

export interface NodeHttpInit extends NodeApiInit {
  host: string;
  port: number;
  /** How long in-flight requests may still run when the server stops. */
  graceMs(): number;
  /** PEERWEAVE_API_TOKENS_FILE; empty or undefined: no tokens, every route open. */
  tokensFile?: string | undefined;
}

/**
 * The node's HTTP API as a component: built and listening on start, drained on stop. It reads the
 * tokens file first (a bad one stops the start) and watches it while it runs.
 */
export class NodeHttp implements Startable {
  readonly #init: NodeHttpInit;
  #app: Awaited<ReturnType<typeof buildNodeApi>> | undefined;
  #port: number | undefined;
  #tokens: ApiTokensFile | undefined;

  constructor(init: NodeHttpInit) {
    this.#init = init;
  }

  /** The port it listens on (the real one when configured as 0); only once started. */
  get port(): number {
    if (this.#port === undefined) throw new NotReadyError('the HTTP API is not listening');
    return this.#port;
  }

  async start(): Promise<void> {
    const { host, port, graceMs: _, tokensFile, ...api } = this.#init;
    let tokens: ApiTokensFile | undefined;
    if (tokensFile !== undefined && tokensFile !== '') {
      tokens = new ApiTokensFile({ path: tokensFile, logger: api.logger });
      await tokens.start();
    } else {
      api.logger.warn('no PEERWEAVE_API_TOKENS_FILE: anyone who reaches the HTTP API can upload, delete and change the log level');
    }
    let app: Awaited<ReturnType<typeof buildNodeApi>> | undefined;
    try {
      app = await buildNodeApi(tokens === undefined ? api : { ...api, access: { ...api.access, tokens: () => tokens.current() } });
      await app.listen({ host, port });
    } catch (err) {
      await app?.close();
      await tokens?.stop();
      throw err;
    }
    this.#tokens = tokens;
    const address = app.server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#app = app;
  }

  /**
   * Fastify's close waits for in-flight requests and closes idle keep-alive sockets; the grace
   * period bounds it so that a stuck client cannot hold the process past the orchestrator's limit.
   */
  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    await this.#tokens?.stop();
    this.#tokens = undefined;
    if (app === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#init.graceMs()).unref()));
    await Promise.race([app.close(), grace]).finally(() => clearTimeout(timer));
  }
}
