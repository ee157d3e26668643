import { IMAGE, HTTP_PORT, GRPC_PORT } from './env.ts';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer } from 'testcontainers';

export interface PeerOptions {
  network?: StartedNetwork;
  name?: string;
  env?: Record<string, string>;
  /** Files put into the container before it starts (a tokens file, a CA), readable by its user. */
  files?: { content: string; target: string; mode?: number }[];
}

/** Starts one peer from the image under test and waits until Docker reports it healthy. */
export async function startPeer(options: PeerOptions = {}): Promise<StartedTestContainer> {
  let c = new GenericContainer(IMAGE)
    .withExposedPorts(HTTP_PORT, GRPC_PORT)
    .withEnvironment({ PEERWEAVE_PRESET: 'lan', ...options.env })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(60_000);
  if (options.network) c = c.withNetwork(options.network);
  if (options.name) c = c.withNetworkAliases(options.name);
  if (options.files) c = c.withCopyContentToContainer(options.files);
  return c.start();
}

export function httpBase(c: StartedTestContainer): string {
  return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}`;
}

export function grpcAddress(c: StartedTestContainer): string {
  return `${c.getHost()}:${c.getMappedPort(GRPC_PORT)}`;
}

/** The raw Docker handle, for what Testcontainers' API lacks (signals, wait for exit). */
export async function dockerContainer(c: StartedTestContainer) {
  const client = await getContainerRuntimeClient();
  return client.container.getById(c.getId());
}

/**
 * Sends `signal` to the container's main process and waits for it to exit; returns the exit code
 * and how long the exit took. Docker's wait has no deadline of its own, so one is raced here.
 */
export async function signalAndWait(
  c: StartedTestContainer,
  signal: string,
  timeoutMs = 20_000,
): Promise<{ exitCode: number; elapsedMs: number }> {
  const container = await dockerContainer(c);
  const started = Date.now();
  const waited = container.wait() as Promise<{ StatusCode: number }>;
  await container.kill({ signal });
  const result = await Promise.race([
    waited,
    new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`container did not exit within ${timeoutMs} ms`)), timeoutMs).unref();
    }),
  ]);
  return { exitCode: result.StatusCode, elapsedMs: Date.now() - started };
}

/** Removes containers whatever state they are in, with their anonymous volumes. */
export async function removeAll(containers: Iterable<StartedTestContainer | undefined>): Promise<void> {
  const client = await getContainerRuntimeClient();
  await Promise.all(
    [...containers]
      .filter((c): c is StartedTestContainer => c !== undefined)
      .map((c) => client.container.getById(c.getId()).remove({ force: true, v: true }).catch(() => {})),
  );
}
