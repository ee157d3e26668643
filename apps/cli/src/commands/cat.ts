import type { Writable } from 'node:stream';
import type { CommandContext } from '../command-context.ts';
import { download } from '../download.ts';
import { UnreachableError } from '../errors.ts';

/** `peerweave cat CID`: the object's bytes on stdout. A reader that goes away (`| head`) is fine. */
export async function catCommand(ctx: CommandContext, cid: string): Promise<void> {
  try {
    await download(ctx, { cid, sink: ctx.io.stdout as NodeJS.WritableStream & Writable, keepOpen: true });
  } catch (err) {
    if (isBrokenPipe(err)) return;
    throw err;
  }
}

function isBrokenPipe(err: unknown): boolean {
  const cause = err instanceof UnreachableError ? err.cause : err;
  return (cause as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}
