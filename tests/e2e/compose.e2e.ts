// End to end through the Compose file users run: 20 peers and 2 supernodes, every one answers.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment } from 'testcontainers';
import { HTTP_PORT } from './support/env.ts';
import { getJson } from './support/http.ts';

const PEERS = 20;
const root = fileURLToPath(new URL('../..', import.meta.url));

describe(`docker compose up --scale peer=${PEERS}`, { timeout: 300_000 }, () => {
  let env: StartedDockerComposeEnvironment | undefined;

  before(async () => {
    env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(`testcontainers-pw-${randomUUID().slice(0, 8)}`)
      .withClientOptions({ commandOptions: ['--scale', `peer=${PEERS}`] })
      .withStartupTimeout(180_000)
      .up();
  });

  after(async () => {
    await env?.down({ timeout: 1_000, removeVolumes: true });
  });

  it(`starts ${PEERS} healthy peers with distinct ids, and 2 supernodes`, async () => {
    const started = env!;
    const url = (name: string): string => {
      const c = started.getContainer(name);
      return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}/v1/status`;
    };
    const peers = await Promise.all(
      Array.from({ length: PEERS }, (_, i) => getJson<{ id: string; role: string }>(url(`peer-${i + 1}`))),
    );
    assert.equal(peers.length, PEERS);
    assert.ok(peers.every((s) => s.role === 'peer'));
    assert.equal(new Set(peers.map((s) => s.id)).size, PEERS, 'every peer has its own id');

    const supernodes = await Promise.all([1, 2].map((i) => getJson<{ id: string; role: string }>(url(`supernode-${i}`))));
    assert.ok(supernodes.every((s) => s.role === 'supernode'));
    assert.equal(new Set([...peers, ...supernodes].map((s) => s.id)).size, PEERS + 2);
  });
});
