// End to end for search, through the Compose file users run (20 peers + 2 supernodes): a file put
// on one peer is found by a keyword from every other node, through the supernodes; with both
// supernodes stopped the same search floods the overlay and still finds it; started again, the
// supernodes get their leaves back and supernode search works again. Bad input gets stable codes.
import './support/env.ts';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DockerComposeEnvironment, getContainerRuntimeClient, type StartedDockerComposeEnvironment } from 'testcontainers';
import { waitFor } from '@peerweave/core/testing';
import { HTTP_PORT } from './support/env.ts';
import { http, getJson } from './support/http.ts';

const PEERS = 20;
const root = fileURLToPath(new URL('../..', import.meta.url));

interface SearchResult {
  mode: 'flood' | 'supernode';
  partial: boolean;
  hits: { cid: string; name: string; holders: string[] }[];
  responders: number;
  messages: number;
  tookMs: number;
}
interface SearchStatus {
  role: string;
  attachedTo: { id: string }[];
  leaves: number;
  leafEntries: number;
}

describe('search through the Compose cluster', { timeout: 900_000 }, () => {
  let env: StartedDockerComposeEnvironment | undefined;
  const peers = Array.from({ length: PEERS }, (_, i) => `peer-${i + 1}`);
  const supernodes = ['supernode-1', 'supernode-2'];
  const url = (name: string, path: string): string => {
    const c = env!.getContainer(name);
    return `http://${c.getHost()}:${c.getMappedPort(HTTP_PORT)}${path}`;
  };
  const search = (name: string, q: string, extra = ''): Promise<SearchResult> =>
    getJson<SearchResult>(url(name, `/v1/search?q=${encodeURIComponent(q)}${extra}`), 30_000);
  const keyword = `kw${randomBytes(6).toString('hex')}`;
  let cid = '';

  /** Every peer is attached to at least one supernode, and the supernodes index every peer's records. */
  const allAttached = async (): Promise<boolean> => {
    const views = await Promise.all(peers.map((p) => getJson<SearchStatus>(url(p, '/v1/search/status'), 5_000)));
    return views.every((v) => v.attachedTo.length >= 1);
  };

  before(async () => {
    env = await new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(`testcontainers-pws-${randomUUID().slice(0, 8)}`)
      .withClientOptions({ commandOptions: ['--scale', `peer=${PEERS}`] })
      .withStartupTimeout(180_000)
      .up();
    await waitFor(
      async () => {
        const views = await Promise.all([...peers, ...supernodes].map((p) => getJson<{ peers: { state: string }[] }>(url(p, '/v1/peers'), 2_000)));
        return views.every((v) => v.peers.filter((x) => x.state === 'alive').length >= PEERS + 1);
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'every node to know the others' },
    );
    await waitFor(allAttached, { timeoutMs: 60_000, intervalMs: 500, what: 'every peer to attach to a supernode' });
  });

  after(async () => {
    await env?.down({ timeout: 1_000, removeVolumes: true });
  });

  it('supernodes report their leaves; peers are attached', async () => {
    const views = await Promise.all(supernodes.map((s) => getJson<SearchStatus>(url(s, '/v1/search/status'))));
    assert.ok(views.every((v) => v.role === 'supernode'));
    assert.ok(views.reduce((a, v) => a + v.leaves, 0) >= PEERS, `leaves attached: ${views.map((v) => v.leaves).join(', ')}`);
  });

  it('a file put on one peer is found by its keyword from every other node, through the supernodes and by flooding', async () => {
    const put = await http<{ cid: string }>(url('peer-3', `/v1/objects?name=${keyword}-notes.txt&keywords=${keyword},notes`), {
      method: 'POST',
      body: randomBytes(4096),
      timeoutMs: 30_000,
    });
    assert.equal(put.status, 201, put.text);
    cid = put.body.cid;
    const askers = [...peers, ...supernodes].filter((p) => p !== 'peer-3');
    // The record reaches its replicas, which publish it to their supernodes after a linger (100 ms
    // by default, coalescing changes): wait until a search from every node finds it. A node that
    // holds the record finds it in its own index at once, so one node finding it says nothing
    // about the supernodes.
    await waitFor(
      async () => {
        for (const p of askers) if (!(await search(p, keyword)).hits.some((h) => h.cid === cid)) return false;
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'every node to find the new record' },
    );
    const latencies: number[] = [];
    for (const p of askers) {
      const r = await search(p, keyword);
      assert.ok(r.hits.some((h) => h.cid === cid), `${p} found it (${JSON.stringify(r).slice(0, 300)})`);
      if (!supernodes.includes(p)) assert.equal(r.mode, 'supernode', `${p} searched through a supernode`);
      latencies.push(r.tookMs);
    }
    // Flooding reaches it from every node too (TTL 4, the default): the overlay has no node that
    // nobody links to.
    for (const p of askers) {
      const r = await search(p, keyword, '&mode=flood');
      assert.ok(r.hits.some((h) => h.cid === cid), `${p} found it by flooding (${JSON.stringify(r).slice(0, 300)})`);
      assert.equal(r.mode, 'flood');
    }
    latencies.sort((a, b) => a - b);
    console.log(`# supernode search from ${askers.length} nodes: p50 ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies.at(-1)} ms`);
    // Prefix and phrase queries work through the network too.
    assert.ok((await search('peer-9', `${keyword.slice(0, 8)}*`)).hits.some((h) => h.cid === cid), 'prefix');
    assert.ok((await search('peer-10', `"${keyword} notes"`)).hits.some((h) => h.cid === cid), 'phrase over the name');
  });

  it('bad input: empty or over-long query and FTS syntax are 400 INVALID_QUERY; a TTL above 7 is cut, not refused', async () => {
    for (const q of ['', '   ', 'x'.repeat(300), '"unbalanced']) {
      const r = await http<{ code: string }>(url('peer-2', `/v1/search?q=${encodeURIComponent(q)}`));
      assert.equal(r.status, 400, `${JSON.stringify(q.slice(0, 20))}: ${r.text}`);
      assert.equal(r.body.code, 'INVALID_QUERY');
    }
    for (const q of ['NEAR(', 'a AND', 'col:x', '^*', 'a OR OR b', '-']) {
      const r = await http<{ code: string }>(url('peer-2', `/v1/search?q=${encodeURIComponent(q)}`), { timeoutMs: 30_000 });
      assert.ok(r.status === 200 || (r.status === 400 && r.body.code === 'INVALID_QUERY'), `${q}: ${r.status} ${r.text}`);
    }
    const missing = await http<{ code: string }>(url('peer-2', '/v1/search'));
    assert.equal(missing.status, 400);
    const deep = await http<SearchResult>(url('peer-2', `/v1/search?q=${keyword}&ttl=50&mode=flood`), { timeoutMs: 30_000 });
    assert.equal(deep.status, 200, deep.text);
    assert.ok(deep.body.hits.some((h) => h.cid === cid));
  });

  it('both supernodes stopped: the same search from every peer floods the overlay and still finds the file', async () => {
    const docker = await getContainerRuntimeClient();
    await Promise.all(supernodes.map((s) => docker.container.getById(env!.getContainer(s).getId()).stop({ t: 1 })));
    for (const p of peers.filter((x) => x !== 'peer-3')) {
      const r = await search(p, keyword);
      assert.ok(r.hits.some((h) => h.cid === cid), `${p} found it by flooding (${JSON.stringify(r).slice(0, 300)})`);
      assert.equal(r.mode, 'flood', p);
    }
  });

  it('supernodes started again: leaves re-attach and supernode search works again', async () => {
    const docker = await getContainerRuntimeClient();
    await Promise.all(supernodes.map((s) => docker.container.getById(env!.getContainer(s).getId()).start()));
    await waitFor(allAttached, { timeoutMs: 90_000, intervalMs: 1_000, what: 'every peer to attach to a supernode again' });
    await waitFor(async () => (await search('peer-5', keyword, '&mode=supernode')).hits.some((h) => h.cid === cid), {
      timeoutMs: 30_000,
      intervalMs: 1_000,
      what: 'the supernodes to have the record again',
    });
    for (const p of peers.filter((x) => x !== 'peer-3')) {
      const r = await search(p, keyword, '&mode=supernode');
      assert.ok(r.hits.some((h) => h.cid === cid), `${p} found it through a supernode again`);
      assert.equal(r.mode, 'supernode');
    }
  });
});
