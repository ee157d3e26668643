import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CommandContext } from './command-context.ts';
import { CliError } from './errors.ts';
import { createProgress, type TransferProgress } from './progress.ts';
import { StallGuard } from './stall-guard.ts';

export interface DownloadInit {
  readonly cid: string;
  /** Where the bytes go. */
  readonly sink: Writable;
  /** Leave the sink open at the end (stdout). */
  readonly keepOpen?: boolean;
  /** Progress label ("get bafy…"); no progress when undefined (cat). */
  readonly label?: string | undefined;
  /** Called with an error of the sink (a write failed), to report it as a local file error. */
  readonly sinkError?: (err: unknown) => CliError;
}

export interface Downloaded {
  readonly bytes: number;
  readonly ms: number;
  /** Content-Length of the answer, when it had one. */
  readonly expected: number | undefined;
  /** Still showing: the caller finishes it once the bytes are where they belong. */
  readonly progress: TransferProgress;
}

/** GET /v1/objects/:cid streamed into a sink, aborted on Ctrl-C or after a stall. */
export async function download(ctx: CommandContext, init: DownloadInit): Promise<Downloaded> {
  const client = await ctx.client();
  const guard = new StallGuard({
    timeoutMs: ctx.globals.stallTimeout,
    describe: (ms) => `no bytes of ${init.cid} from node ${client.baseUrl} for ${ms / 1000} s`,
  });
  const signal = AbortSignal.any([ctx.signal, guard.signal]);
  const started = performance.now();
  let bytes = 0;
  let sinkFailure: unknown;
  init.sink.once('error', (err) => {
    sinkFailure ??= err;
  });
  let progress = createProgress({ mode: 'none', stream: ctx.io.stderr, label: '' });
  try {
    const res = await client.open('get', '/v1/objects/{cid}', { path: { cid: init.cid }, signal });
    const length = Number(res.headers.get('content-length') ?? NaN);
    const expected = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
    if (init.label !== undefined) {
      progress = createProgress({ mode: ctx.progressMode, stream: ctx.io.stderr, label: init.label, total: expected });
    }
    if (res.body === null) throw new Error('the node sent no body');
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream<Uint8Array>, { signal }),
      async function* count(source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          guard.touch();
          progress.update(bytes);
          yield chunk;
        }
      },
      init.sink,
      { end: !init.keepOpen, signal },
    );
    return { bytes, ms: performance.now() - started, expected, progress };
  } catch (err) {
    progress.abort();
    if (signal.aborted && signal.reason instanceof CliError) throw signal.reason;
    if (sinkFailure !== undefined && init.sinkError) throw init.sinkError(sinkFailure);
    throw client.translate(err);
  } finally {
    guard.stop();
  }
}
