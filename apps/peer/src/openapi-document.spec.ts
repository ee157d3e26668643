// The OpenAPI document the build writes beside the bundle, and how a node finds it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadNodeConfig } from '@peerweave/config';
import { OPENAPI_FILE, builtOpenApiDocument, generateOpenApiDocument } from './openapi-document.ts';
import { startNode } from './node.ts';

describe('OpenAPI document', () => {
  it('generated without a node, is what a node serves when it generates its own', async (t) => {
    const generated = await generateOpenApiDocument();
    for (const path of ['/healthz', '/v1/status', '/v1/log-level', '/openapi.json', '/v1/peers', '/v1/objects', '/ipfs/{cid}', '/v1/objects/{cid}/replicas', '/v1/search']) {
      assert.ok(path in generated.paths, path);
    }
    const dir = await mkdtemp(join(tmpdir(), 'pw-openapi-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // From source there is no openapi.json beside node.ts: the node generates the document.
    const node = await startNode(loadNodeConfig({ PEERWEAVE_PRESET: 'test', PEERWEAVE_INSECURE: 'true', PEERWEAVE_DATA_DIR: dir, PEERWEAVE_LOG_LEVEL: 'silent' }));
    t.after(() => node.stop());
    assert.deepEqual(await (await fetch(`${node.httpUrl}/openapi.json`)).json(), generated);
  });

  it('builtOpenApiDocument reads the file beside the code, or is undefined without one', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-openapi-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const url = pathToFileURL(`${dir}/`);
    assert.equal(builtOpenApiDocument(url), undefined);
    const doc = { openapi: '3.1.0', info: { title: 'Peerweave', version: '9.9.9' }, paths: {} };
    await writeFile(join(dir, OPENAPI_FILE), JSON.stringify(doc));
    const load = builtOpenApiDocument(url);
    assert.ok(load);
    assert.deepEqual(await load(), doc);
  });
});
