// Compiles the malloc_trim addon (libs/telemetry/native/malloc-trim.c) into a Node-API module
// (`<outDir>/malloc-trim.node`). Used by scripts/build.ts (dist/lib/peer/) and by its spec.
//
// Built on the host with Debian's gcc, as the health probe is (the image has no RUN); linked
// against the host's glibc 2.36, the C library of the image's base (bookworm). Node-API's ABI is
// stable across Node versions, so the file does not depend on the Node it was built beside.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const MALLOC_TRIM_SOURCE = join(ROOT, 'libs', 'telemetry', 'native', 'malloc-trim.c');

/** -s and --build-id=none: the same source gives the same bytes (setup.sh's input hash). */
const CFLAGS = ['-std=c11', '-shared', '-fPIC', '-O2', '-s', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none'];

/** Writes the addon to `outFile`. */
export function compileMallocTrim(outFile: string): void {
  const cc = process.env.PEERWEAVE_CC || 'gcc';
  mkdirSync(dirname(outFile), { recursive: true });
  try {
    execFileSync(cc, [...CFLAGS, '-o', outFile, MALLOC_TRIM_SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new Error(`the malloc_trim addon needs a C compiler: \`${cc}\` is not on PATH (bash scripts/setup.sh installs gcc and libc6-dev)`, { cause: err });
    }
    throw new Error(`${cc} failed on ${MALLOC_TRIM_SOURCE}: ${e.stderr?.toString().trim() ?? e.message}`, { cause: err });
  }
}
