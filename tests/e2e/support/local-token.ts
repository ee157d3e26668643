import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The local cluster's write token, as `scripts/setup.sh` makes it (`.peerweave/token`; its hash is
 * in `.peerweave/tokens.json`, which Compose mounts as every node's PEERWEAVE_API_TOKENS_FILE).
 * The e2e suites and the benches that run the Compose cluster act as its operator with it.
 * Undefined when setup has not made one (then Compose cannot start either).
 */
export const LOCAL_TOKEN: string | undefined = (() => {
  try {
    return readFileSync(fileURLToPath(new URL('../../../.peerweave/token', import.meta.url)), 'utf8').trim();
  } catch {
    return undefined;
  }
})();

/** `{ authorization: 'Bearer <local token>' }`, or nothing without a local token. */
export function localAuth(): Record<string, string> {
  return LOCAL_TOKEN === undefined ? {} : { authorization: `Bearer ${LOCAL_TOKEN}` };
}
