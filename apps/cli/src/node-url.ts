import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from './errors.ts';

/** Where a node runs when nothing else says: the port the image's HTTP API listens on. */
export const FALLBACK_NODE_URL = 'http://127.0.0.1:8080';
/** `docker compose port` runs on every command without --node; keep a hung daemon from blocking it. */
export const DEFAULT_DOCKER_PORT_TIMEOUT_MS = 3_000;

/** How the node URL was chosen: error messages tell the user what to change. */
export type NodeUrlSource = 'flag' | 'env' | 'compose' | 'fallback';

export interface ResolvedNode {
  readonly url: string;
  readonly source: NodeUrlSource;
}

export interface ResolveNodeInit {
  /** --node */
  readonly flag?: string | undefined;
  /** PEERWEAVE_NODE */
  readonly env?: string | undefined;
  /** The checkout whose docker-compose.yml names the local cluster; undefined skips Compose. */
  readonly repoRoot?: string | undefined;
  /** Asks Compose for the first peer's published port; injectable for tests. */
  readonly composePort?: (repoRoot: string) => Promise<string | undefined>;
}

/**
 * --node, else PEERWEAVE_NODE, else the first peer of the local Compose cluster
 * (`docker compose port --index 1 peer 8080`), else http://127.0.0.1:8080.
 */
export async function resolveNode(init: ResolveNodeInit): Promise<ResolvedNode> {
  if (init.flag !== undefined && init.flag !== '') return { url: normalizeNodeUrl(init.flag, '--node'), source: 'flag' };
  if (init.env !== undefined && init.env !== '') return { url: normalizeNodeUrl(init.env, 'PEERWEAVE_NODE'), source: 'env' };
  if (init.repoRoot !== undefined) {
    const hostPort = await (init.composePort ?? composeFirstPeerPort)(init.repoRoot);
    if (hostPort !== undefined) return { url: normalizeNodeUrl(hostPort, 'docker compose port'), source: 'compose' };
  }
  return { url: FALLBACK_NODE_URL, source: 'fallback' };
}

/** `host:port` → `http://host:port`; a trailing slash is dropped; anything not http(s) is a usage error. */
export function normalizeNodeUrl(raw: string, from: string): string {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${from}: "${raw}" is not a node URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from}: "${raw}" is not a node URL (expected http://host:port)`);
  }
  if (url.search !== '' || url.hash !== '') throw new UsageError(`${from}: "${raw}" must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** `0.0.0.0:32768` / `127.0.0.1:32768` from Compose, or undefined when Docker or the cluster is absent. */
export function composeFirstPeerPort(repoRoot: string, timeoutMs = DEFAULT_DOCKER_PORT_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['compose', '-f', join(repoRoot, 'docker-compose.yml'), 'port', '--index', '1', 'peer', '8080'],
      { timeout: timeoutMs, windowsHide: true },
      (err, stdout) => {
        const line = String(stdout ?? '').trim().split('\n')[0]?.trim() ?? '';
        if (err || !/^[^\s]+:\d+$/.test(line) || line.endsWith(':0')) {
          resolve(undefined);
          return;
        }
        resolve(line.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '127.0.0.1:'));
      },
    );
  });
}

/** What to add to an "unreachable" message so the user knows which knob picked this node. */
export function sourceHint(source: NodeUrlSource): string {
  switch (source) {
    case 'flag':
      return '';
    case 'env':
      return ' (from PEERWEAVE_NODE)';
    case 'compose':
      return ' (the first peer of the local Compose cluster; pass --node URL to pick another)';
    case 'fallback':
      return ' (the default: no --node, no PEERWEAVE_NODE and no local Compose cluster; start one with `peerweave cluster up` or pass --node URL)';
  }
}
