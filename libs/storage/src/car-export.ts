import type { CID } from 'multiformats/cid';
import type { BlockGetter } from './block-io.ts';
import { dagBlocks } from './dag-walk.ts';
import { lazyImport } from './lazy-import.ts';

/** @ipld/car's writer, loaded by the first CAR export (see lazyImport). */
const loadCarWriter = lazyImport(async () => (await import('@ipld/car/writer')).CarWriter);

/**
 * The DAG under `cid` as a CARv1 stream (the format of `ipfs dag export`): roots `[cid]`, then
 * every block in {@link dagBlocks} order. Blocks are fetched as the reader consumes the stream:
 * CarWriter's `put` waits until its bytes have been read.
 */
export async function* exportCar(
  cid: CID,
  get: BlockGetter,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const CarWriter = await loadCarWriter();
  const { writer, out } = CarWriter.create([cid]);
  const chunks = out[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  let stopped = false;
  const produce = async (): Promise<void> => {
    try {
      for await (const block of dagBlocks(cid, get, options)) {
        if (stopped) break;
        await writer.put(block);
      }
    } catch (error) {
      failure = { error };
    } finally {
      await writer.close();
    }
  };
  const producing = produce();
  try {
    for (let chunk = await chunks.next(); chunk.done !== true; chunk = await chunks.next()) {
      yield chunk.value;
    }
  } finally {
    // A reader that stops early leaves the writer waiting for its last put to be read: read the
    // rest away (at most one block, the producer stops at the next one) so it can close.
    stopped = true;
    for (let chunk = await chunks.next(); chunk.done !== true; chunk = await chunks.next()) {
      /* discard */
    }
    await producing;
  }
  if (failure !== undefined) throw failure.error;
}
