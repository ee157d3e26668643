import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fastify } from 'fastify';
import { silentLogger, VERSION } from '@peerweave/core';
import { installErrorHandling } from './error-handling.ts';
import { build } from './http-api.ts';
import { LIVE_PAGE_ASSETS, LIVE_PAGE_CSP, LIVE_PAGE_DIR } from './live-page-assets.ts';
import { livePageRoutes } from './routes/live-page-routes.ts';
import type { HttpApiInit } from './http-api-init.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const dirPath = fileURLToPath(LIVE_PAGE_DIR);
const source = (file: string): string => readFileSync(join(dirPath, file), 'utf8');

function app(overrides: Partial<HttpApiInit> = {}) {
  return build({
    logger: silentLogger,
    status: () => ({
      id: 'ab'.repeat(32),
      role: 'peer',
      version: VERSION,
      uptimeSeconds: 1,
      startedAt: '2026-01-02T03:04:05.000Z',
      publicKey: '',
      addresses: { http: [], grpc: [] },
    }),
    readiness: () => ({ ready: true }),
    metrics: { contentType: 'text/plain', text: async () => '' },
    ...overrides,
  });
}

test('GET / is the live page: HTML under the strict Content-Security-Policy', async () => {
  const api = await app();
  const res = await api.inject({ url: '/' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['content-security-policy'], CSP);
  assert.equal(LIVE_PAGE_CSP, CSP);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.match(res.body, /^<!doctype html>/);
  assert.match(res.body, /<script type="module" src="\/live\/live\.js"><\/script>/);
  assert.match(res.body, /<link rel="stylesheet" href="\/live\/live\.css">/);
  const head = await api.inject({ method: 'HEAD', url: '/' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-security-policy'], CSP);
});

test('the page, its script and its style are served with their types; nothing else is', async () => {
  const api = await app();
  const types: Record<string, string> = {
    '/live/live.js': 'text/javascript; charset=utf-8',
    '/live/live-model.js': 'text/javascript; charset=utf-8',
    '/live/live.css': 'text/css; charset=utf-8',
  };
  for (const [path, type] of Object.entries(types)) {
    const res = await api.inject({ url: path });
    assert.equal(res.statusCode, 200, path);
    assert.equal(res.headers['content-type'], type, path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(res.body, source(LIVE_PAGE_ASSETS[path]!.file), path);
  }
  for (const path of ['/live/', '/live/index.html', '/live/../live-page-assets.ts', '/live/live.js.map', '/index.html']) {
    const res = await api.inject({ url: path });
    assert.equal(res.statusCode, 404, path);
    assert.equal(res.json<{ code: string }>().code, 'NOT_FOUND', path);
  }
  const post = await api.inject({ method: 'POST', url: '/' });
  assert.equal(post.statusCode, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('the page is not part of the OpenAPI document', async () => {
  const api = await app();
  const doc = (await api.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
  for (const path of Object.keys(LIVE_PAGE_ASSETS)) assert.ok(!(path in doc.paths), path);
});

test('every file of the page folder is served, and everything the page loads is one of them', () => {
  const served = new Set(Object.values(LIVE_PAGE_ASSETS).map((a) => a.file));
  assert.deepEqual(readdirSync(dirPath).sort(), [...served].sort(), 'scripts/build.ts copies the whole folder');
  const html = source('index.html');
  const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'));
  for (const file of served) {
    if (!file.endsWith('.js')) continue;
    for (const m of source(file).matchAll(/\bfrom '(\.\/[^']+)'/g)) loaded.push(`/live/${m[1]!.slice(2)}`);
  }
  assert.ok(loaded.length >= 3, loaded.join(' '));
  for (const url of loaded) assert.ok(url in LIVE_PAGE_ASSETS, `${url} is loaded by the page but not served`);
});

test('the page has no inline script or style, and its script never parses strings as HTML', () => {
  const html = source('index.html');
  // Every <script> has a src and no body; no <style>, no style="", no on*="" handlers, no javascript: URLs.
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    assert.match(m[1]!, /\bsrc="\/live\//, 'a script comes from the node');
    assert.equal(m[2]!.trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /<style\b/i);
  assert.doesNotMatch(html, /\sstyle\s*=/i);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  assert.doesNotMatch(html, /javascript:/i);
  // The script builds the DOM with createElement/createElementNS and textContent only: any of these
  // would let a node-supplied name (a role, an address, an object name) become markup or code.
  const sinks = /\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b|createContextualFragment|DOMParser|setAttribute\(\s*['"](?:on|style|href|src)|\.srcdoc\b/;
  for (const file of ['live.js', 'live-model.js']) {
    const code = source(file).replace(/^\s*\/\/.*$/gm, '');
    assert.doesNotMatch(code, sinks, file);
  }
});

test('a missing page file is a masked 500 INTERNAL, not a crash', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'pw-live-'));
  const bare = fastify();
  try {
    installErrorHandling(bare, 1024);
    await bare.register(livePageRoutes({ dir: pathToFileURL(`${empty}/`) }));
    const res = await bare.inject({ url: '/' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { code: 'INTERNAL', message: 'internal error' });
    assert.equal(res.headers['content-security-policy'], undefined, 'an error is JSON, not the page');
  } finally {
    await bare.close();
    await rm(empty, { recursive: true, force: true });
  }
});
