import { IMAGE, HTTP_PORT, GRPC_PORT } from './env.ts';
import { startContainer } from './start.ts';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { Identity, createClusterCa, issueNodeCertificate, privateKeyPem, type ClusterCa } from '@peerweave/identity';
import { createCredentials, type ProtocolCredentials, type TlsMaterial } from '@peerweave/protocol';

/** Where a peer's cluster CA goes in its container. */
const CA_CERT = '/tmp/cluster-ca.crt';
const CA_KEY = '/tmp/cluster-ca.key';
let suiteCa: Promise<ClusterCa> | undefined;

/** The suite's throwaway cluster CA, one per test process. */
export function suiteCaOnce(): Promise<ClusterCa> {
  return (suiteCa ??= createClusterCa({ commonName: 'peerweave e2e suite CA' }));
}

/**
 * The environment and files that give a container `ca` and its key (self-issue mode). A throwaway
 * CA: its key is readable by the image's user (0644) for the test's sake.
 */
export function caFiles(ca: ClusterCa): { env: Record<string, string>; files: { content: string; target: string; mode: number }[] } {
  return {
    env: { PEERWEAVE_CLUSTER_CA: CA_CERT, PEERWEAVE_CLUSTER_CA_KEY: CA_KEY },
    files: [
      { content: ca.certPem, target: CA_CERT, mode: 0o644 },
      { content: ca.keyPem, target: CA_KEY, mode: 0o644 },
    ],
  };
}

/** TLS material of `ca` for a fresh key, as a member's would be. */
export async function memberMaterial(ca: ClusterCa): Promise<TlsMaterial> {
  const identity = Identity.generate();
  return { caPem: ca.certPem, certPem: await issueNodeCertificate(ca, identity), keyPem: privateKeyPem(identity) };
}

export interface PeerOptions {
  network?: StartedNetwork;
  name?: string;
  env?: Record<string, string>;
  /** Files put into the container before it starts (a tokens file), readable by its user. */
  files?: { content: string; target: string; mode?: number }[];
  /** Its cluster CA (default the suite's); ignored when `env` names a CA or PEERWEAVE_INSECURE. */
  ca?: ClusterCa;
}

/**
 * Starts one peer from the image under test and waits until Docker reports it healthy. A node
 * needs a cluster certificate (or PEERWEAVE_INSECURE=true): unless `env` names its own CA or asks
 * for plaintext, it gets `ca`, by default the suite's throwaway CA (the same for every peer this
 * test process starts), and issues itself a certificate, so they admit each other as a Compose
 * cluster's nodes do.
 */
export async function startPeer(options: PeerOptions = {}): Promise<StartedTestContainer> {
  let env: Record<string, string> = { PEERWEAVE_PRESET: 'lan', ...options.env };
  let files = [...(options.files ?? [])];
  if (env.PEERWEAVE_CLUSTER_CA === undefined && env.PEERWEAVE_INSECURE === undefined) {
    const admission = caFiles(options.ca ?? (await suiteCaOnce()));
    env = { ...env, ...admission.env };
    files = [...files, ...admission.files];
  }
  let c = new GenericContainer(IMAGE)
    .withExposedPorts(HTTP_PORT, GRPC_PORT)
    .withEnvironment(env)
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(60_000);
  if (options.network) c = c.withNetwork(options.network);
  if (options.name) c = c.withNetworkAliases(options.name);
  if (files.length > 0) c = c.withCopyContentToContainer(files);
  return startContainer(c);
}

/**
 * Client credentials admitted by every peer {@link startPeer} gave the suite's CA: a certificate of
 * that CA for a fresh key, as a member's would be (a gRPC client of a peer needs one).
 */
export async function suiteClientCredentials(): Promise<ProtocolCredentials> {
  return createCredentials({ tls: await memberMaterial(await suiteCaOnce()) });
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
