import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The addon's file name (libs/telemetry/native/malloc-trim.c, compiled by scripts/build.ts into
 * dist/lib/<app>/ beside the bundle, hence found next to the module that loads it).
 */
export const MALLOC_TRIM_ADDON = 'malloc-trim.node';

/** glibc's `malloc_trim(0)`: gives every free page of the malloc arenas back; true if any was. */
export type MallocTrim = () => boolean;

/**
 * Loads the malloc_trim addon from `file` (default: beside this module, i.e. beside the bundle).
 * Undefined where there is none to load: running from source, another OS or C library, a file
 * that does not load (`error` says why, for the log); then only V8's memory is given back.
 */
export function loadMallocTrim(file: string = fileURLToPath(new URL(`./${MALLOC_TRIM_ADDON}`, import.meta.url))): { trim?: MallocTrim; error?: string } {
  if (process.platform !== 'linux') return { error: `no malloc_trim on ${process.platform}` };
  if (!existsSync(file)) return { error: `${file} not found` };
  try {
    const module = { exports: {} as { mallocTrim?: unknown } };
    process.dlopen(module, file);
    const fn = module.exports.mallocTrim;
    if (typeof fn !== 'function') return { error: `${file} exports no mallocTrim()` };
    return { trim: fn as MallocTrim };
  } catch (err) {
    return { error: `${file} did not load: ${err instanceof Error ? err.message : String(err)}` };
  }
}
