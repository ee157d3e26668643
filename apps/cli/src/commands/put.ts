import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { PutAnswer, QueryOf } from '../api-types.ts';
import type { CommandContext } from '../command-context.ts';
import { contentTypeFor } from '../content-type.ts';
import { CliError, localFileError, UsageError } from '../errors.ts';
import { formatBytes, transferSummary } from '../format.ts';
import { createProgress } from '../progress.ts';
import { StallGuard } from '../stall-guard.ts';

export interface PutOptions {
  readonly name?: string | undefined;
  readonly keywords?: string | undefined;
  readonly type?: string | undefined;
}

/** The node's answer (`201 {cid, size, blocks, replicas}`) plus what was sent. */
export interface PutResult extends Pick<PutAnswer, 'cid' | 'size' | 'blocks' | 'replicas'> {
  name: string;
  file: string;
}

interface LocalFile {
  readonly path: string;
  readonly size: number;
}

/**
 * Once the body is sent the node writes every block to w replicas before it answers, which takes
 * longer for larger objects: it gets the stall timeout, or twice the upload time if longer.
 */
export const ACK_UPLOAD_TIME_FACTOR = 2;

/** `peerweave put FILE...`: each file streamed to POST /v1/objects, one after the other. */
export async function putCommand(ctx: CommandContext, files: readonly string[], options: PutOptions): Promise<void> {
  if (options.name !== undefined && files.length > 1) {
    throw new UsageError('--name names one file; put the files one at a time to name each');
  }
  // Every file is checked before anything is sent, so a typo does not leave half a batch stored.
  const local = await Promise.all(files.map((f) => statFile(f)));
  const client = await ctx.client();
  const results: PutResult[] = [];
  try {
    for (const file of local) {
      const result = await putOne(ctx, file, options);
      results.push(result);
      if (!ctx.globals.json) ctx.out(`${result.cid}  ${result.name}  ${formatBytes(result.size)}  replicas=${result.replicas}`);
    }
  } catch (err) {
    throw err instanceof CliError ? err : client.translate(err);
  } finally {
    // What was stored is reported even when a later file failed, so its CID is not lost.
    if (ctx.globals.json && results.length > 0) ctx.json(results);
  }
}

async function statFile(path: string): Promise<LocalFile> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw localFileError(err, path, 'read');
  }
  if (!st.isFile()) throw localFileError(new Error('not a regular file'), path, 'read');
  return { path, size: st.size };
}

async function putOne(ctx: CommandContext, file: LocalFile, options: PutOptions): Promise<PutResult> {
  const client = await ctx.client();
  const name = options.name ?? basename(file.path);
  const query: QueryOf<'/v1/objects', 'post'> = {
    name,
    ...(options.keywords !== undefined && options.keywords !== '' ? { keywords: options.keywords } : {}),
    // An explicit --type goes in the query too, where the node validates it (a bad one is a 400).
    ...(options.type !== undefined ? { type: options.type } : {}),
  };
  const contentType = options.type ?? contentTypeFor(file.path);

  const guard = new StallGuard({
    timeoutMs: ctx.globals.stallTimeout,
    describe: (ms) => `node ${client.baseUrl} took no bytes of ${file.path} and sent no answer for ${ms / 1000} s`,
  });
  const progress = createProgress({ mode: ctx.progressMode, stream: ctx.io.stderr, label: `put ${name}`, total: file.size });
  const started = performance.now();
  let sent = 0;
  let readError: unknown;

  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
        sent += (chunk as Buffer).length;
        guard.touch();
        progress.update(sent);
        yield chunk as Buffer;
      }
    } catch (err) {
      readError = err;
      throw err;
    }
    const uploadMs = performance.now() - started;
    guard.extend(Math.max(ctx.globals.stallTimeout, ACK_UPLOAD_TIME_FACTOR * uploadMs));
  }

  try {
    const res = await client.open('post', '/v1/objects', {
      query,
      headers: { 'content-type': contentType },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream<Uint8Array>,
      signal: AbortSignal.any([ctx.signal, guard.signal]),
    });
    const outcome = (await res.json()) as PutAnswer;
    const ms = performance.now() - started;
    progress.finish(transferSummary('stored', `${file.path} as ${outcome.cid}`, outcome.size, ms));
    return { cid: outcome.cid, size: outcome.size, blocks: outcome.blocks, replicas: outcome.replicas, name, file: file.path };
  } catch (err) {
    progress.abort();
    if (readError !== undefined) throw localFileError(readError, file.path, 'read');
    throw client.translate(err);
  } finally {
    guard.stop();
  }
}
