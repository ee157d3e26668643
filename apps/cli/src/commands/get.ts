import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { CommandContext } from '../command-context.ts';
import { download } from '../download.ts';
import { LocalFileError, localFileError } from '../errors.ts';
import { formatBytes, transferSummary } from '../format.ts';

export interface GetOptions {
  /** File, directory, or `-` for stdout. */
  readonly output?: string | undefined;
}

export interface GetResult {
  cid: string;
  bytes: number;
  file: string;
}

/** Suffix of the temporary file a get writes before renaming it to its final name. */
export const PART_SUFFIX = '.peerweave-part';

/**
 * `peerweave get CID [-o FILE]`: the object into a file. The bytes go to a temporary file in the
 * same directory, renamed at the end, so an interrupted get never leaves a partial file under
 * the final name (and never clobbers an existing one).
 */
export async function getCommand(ctx: CommandContext, cid: string, options: GetOptions): Promise<void> {
  if (options.output === '-') {
    // The bytes are the output, so there is no JSON document (as for cat).
    await download(ctx, { cid, sink: ctx.io.stdout as NodeJS.WritableStream & Writable, keepOpen: true });
    return;
  }
  const target = await targetPath(ctx, cid, options.output);
  const part = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}${PART_SUFFIX}`);
  let handle;
  try {
    handle = await open(part, 'wx');
  } catch (err) {
    throw localFileError(err, target, 'write');
  }
  let renamed = false;
  try {
    const sink = handle.createWriteStream({ flush: true });
    const done = await download(ctx, {
      cid,
      sink,
      label: `get ${basename(target)}`,
      sinkError: (err) => localFileError(err, target, 'write'),
    });
    try {
      await rename(part, target);
      renamed = true;
    } catch (err) {
      done.progress.abort();
      throw localFileError(err, target, 'write');
    }
    const shown = relativeOrAbsolute(ctx.io.cwd, target);
    done.progress.finish(transferSummary('fetched', `${cid} to ${shown}`, done.bytes, done.ms));
    const result: GetResult = { cid, bytes: done.bytes, file: shown };
    if (ctx.globals.json) ctx.json(result);
    else ctx.out(`${cid}  ${shown}  ${formatBytes(done.bytes)}`);
  } finally {
    await handle.close().catch(() => {});
    if (!renamed) await unlink(part).catch(() => {});
  }
}

/**
 * -o FILE (replaced if it exists, as asked), or the object's stored name in -o DIR or the current
 * directory; a name chosen by the network never replaces an existing file.
 */
async function targetPath(ctx: CommandContext, cid: string, output: string | undefined): Promise<string> {
  let dir = ctx.io.cwd;
  if (output !== undefined) {
    const path = resolve(ctx.io.cwd, output);
    const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
    if (!isDir) return path;
    dir = path;
  }
  const target = join(dir, await defaultName(ctx, cid));
  if (await stat(target).then(() => true, () => false)) {
    throw new LocalFileError(`${relativeOrAbsolute(ctx.io.cwd, target)} already exists: pass -o FILE to replace it or to choose another name`);
  }
  return target;
}

/** The name the object was stored under, made safe as a file name; else the CID. */
async function defaultName(ctx: CommandContext, cid: string): Promise<string> {
  const client = await ctx.client();
  const meta = await client.json('get', '/v1/objects/{cid}/meta', { path: { cid }, signal: ctx.signal });
  return safeFileName(meta.name) ?? safeFileName(cid) ?? 'object';
}

/**
 * A name from the network is never a path: keep its last segment, drop control characters, and
 * refuse `.`/`..`/empty (a hostile uploader must not write outside the chosen directory).
 */
export function safeFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const last = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\x00-\x1f\x7f]/g, '').trim();
  if (clean === '' || clean === '.' || clean === '..') return undefined;
  return clean;
}

function relativeOrAbsolute(cwd: string, path: string): string {
  const prefix = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}
