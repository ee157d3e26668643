import { NotReadyError, type Startable } from '@peerweave/core';
import { buildNodeApi, type NodeApiInit } from '@peerweave/http-api';

export interface NodeHttpInit extends NodeApiInit {
  host: string;
  port: number;
  /** How long in-flight requests may still run when the server stops. */
  graceMs(): number;
}

/** The node's HTTP API as a component: built and listening on start, drained on stop. */
export class NodeHttp implements Startable {
  readonly #init: NodeHttpInit;
  #app: Awaited<ReturnType<typeof buildNodeApi>> | undefined;
  #port: number | undefined;

  constructor(init: NodeHttpInit) {
    this.#init = init;
  }

  /** The port it listens on (the real one when configured as 0); only once started. */
  get port(): number {
    if (this.#port === undefined) throw new NotReadyError('the HTTP API is not listening');
    return this.#port;
  }

  async start(): Promise<void> {
    const { host, port, graceMs: _, ...api } = this.#init;
    const app = await buildNodeApi(api);
    try {
      await app.listen({ host, port });
    } catch (err) {
      await app.close();
      throw err;
    }
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
    if (app === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#init.graceMs()).unref()));
    await Promise.race([app.close(), grace]).finally(() => clearTimeout(timer));
  }
}
