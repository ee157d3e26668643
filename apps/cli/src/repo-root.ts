import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout the CLI runs from: the nearest directory above this file holding
 * scripts/cluster.sh. From source that is apps/cli/src/../../..; from the bundle
 * dist/lib/cli/../../.. ; through an npm global install the bin is a symlink, but Node loads the
 * real path, so both still land in the checkout. Undefined when the CLI was copied elsewhere.
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'cluster.sh')) && existsSync(join(dir, 'docker-compose.yml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
