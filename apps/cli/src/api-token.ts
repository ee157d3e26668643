import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TOKEN_PATTERN } from '@peerweave/core';
import { UsageError } from './errors.ts';
import type { NodeUrlSource } from './node-url.ts';

/** Where the local cluster's write token is, relative to the checkout (scripts/setup.sh makes it). */
export const LOCAL_TOKEN_FILE = join('.peerweave', 'token');

/** Where the token of a request came from, so a refusal can say what to change. */
export type TokenSource = 'flag' | 'env' | 'local' | 'none';

export interface ResolvedToken {
  readonly token: string | undefined;
  readonly source: TokenSource;
}

export interface ResolveTokenInit {
  /** --token */
  readonly flag?: string | undefined;
  /** PEERWEAVE_TOKEN */
  readonly env?: string | undefined;
  /** How the node URL was chosen: the checkout's token is only for its own local cluster. */
  readonly nodeSource: NodeUrlSource;
  readonly repoRoot?: string | undefined;
}

/**
 * --token, else PEERWEAVE_TOKEN, else `<checkout>/.peerweave/token` when the CLI talks to the local
 * cluster (the node URL came from Compose or is the default), else none: the local cluster's
 * token is never sent to a node named by --node or PEERWEAVE_NODE.
 */
export function resolveToken(init: ResolveTokenInit): ResolvedToken {
  if (init.flag !== undefined && init.flag !== '') return { token: checked(init.flag, '--token'), source: 'flag' };
  if (init.env !== undefined && init.env !== '') return { token: checked(init.env.trim(), 'PEERWEAVE_TOKEN'), source: 'env' };
  if (init.repoRoot !== undefined && (init.nodeSource === 'compose' || init.nodeSource === 'fallback')) {
    let text: string;
    try {
      text = readFileSync(join(init.repoRoot, LOCAL_TOKEN_FILE), 'utf8');
    } catch {
      return { token: undefined, source: 'none' }; // no local cluster secrets: talk without a token
    }
    return { token: checked(text.trim(), join(init.repoRoot, LOCAL_TOKEN_FILE)), source: 'local' };
  }
  return { token: undefined, source: 'none' };
}

function checked(token: string, from: string): string {
  if (!API_TOKEN_PATTERN.test(token)) {
    throw new UsageError(`${from} does not hold a Peerweave token (expected pw_ and 43 base64url characters, as \`peerweave token create\` prints)`);
  }
  return token;
}

/** What to say after a 401/403, given where the token came from. */
export function authHint(status: number, source: TokenSource): string {
  const from = { flag: 'the token of --token', env: 'the token of PEERWEAVE_TOKEN', local: `the local cluster's token (${LOCAL_TOKEN_FILE})`, none: '' }[source];
  if (status === 403) return `${from || 'the token'} lacks the scope this needs: use a token made with \`peerweave token create --scopes write\` (admin for the log level)`;
  if (source === 'none') return 'the node asks for a token: pass --token or set PEERWEAVE_TOKEN (a token from `peerweave token create` whose hash is in the node\'s PEERWEAVE_API_TOKENS_FILE)';
  return `the node does not accept ${from}: is its hash in the node's PEERWEAVE_API_TOKENS_FILE?`;
}
