// Compiles the container health probe (deploy/docker/healthcheck/healthcheck.c) into a static
// binary. Used by scripts/build.ts (dist/lib/peer/healthcheck) and by its spec.
//
// Static, so it runs in the shell-less base image whatever libraries that carries; built on the
// host with Debian's gcc because the image has no RUN (scripts/setup.sh installs gcc and libc6-dev).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const HEALTHCHECK_SOURCE = join(ROOT, 'deploy', 'docker', 'healthcheck', 'healthcheck.c');

/** The compiler; PEERWEAVE_CC overrides it (another gcc or clang that can link statically). */
const DEFAULT_CC = 'gcc';

/**
 * -Os -s: size over speed (it runs for well under a millisecond either way), stripped.
 * --build-id=none: the same source gives the same bytes, so scripts/setup.sh's input hash, hence
 * the image, only changes when the probe does.
 */
const CFLAGS = ['-std=c11', '-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none'];

/** Writes the static probe to `outFile` (mode 0755: the image runs it as uid 1000). */
export function compileHealthcheck(outFile: string): void {
  const cc = process.env.PEERWEAVE_CC || DEFAULT_CC;
  mkdirSync(dirname(outFile), { recursive: true });
  try {
    execFileSync(cc, [...CFLAGS, '-o', outFile, HEALTHCHECK_SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new Error(
        `the health probe needs a C compiler: \`${cc}\` is not on PATH (bash scripts/setup.sh installs gcc and libc6-dev; ` +
          'or apt-get install -y --no-install-recommends gcc libc6-dev)',
        { cause: err },
      );
    }
    const stderr = e.stderr?.toString().trim() ?? '';
    // Without libc6-dev, gcc exists but finds no headers or no libc.a.
    const hint = /No such file|cannot find -lc/.test(stderr) ? ' (is libc6-dev installed? bash scripts/setup.sh installs it)' : '';
    throw new Error(`compiling ${HEALTHCHECK_SOURCE} failed${hint}:\n${stderr}`, { cause: err });
  }
  chmodSync(outFile, 0o755);
}
