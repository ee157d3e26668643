import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import type { BlockPut, BlockPutAck, BlockReader, BlockWriter } from '@peerweave/protocol';
import { BlockStreams, DEFAULT_STREAM_IDLE_MS } from './block-streams.ts';
import { contact } from './test-support.ts';

/** A transport whose streams answer at once (or never, for cids named 'hang'), counting opens. */
function fakeTransport() {
  const opened: string[] = [];
  const readers: (BlockReader & { closed: boolean })[] = [];
  const transport = {
    openBlockReader(address: string): BlockReader {
      opened.push(`r ${address}`);
      const r = {
        closed: false,
        get: (cid: string) => (cid === 'hang' ? new Promise<Uint8Array | undefined>(() => {}) : Promise.resolve(cid === 'none' ? undefined : new Uint8Array([1]))),
        close() {
          r.closed = true;
        },
      };
      readers.push(r);
      return r;
    },
    openBlockWriter(address: string): BlockWriter {
      opened.push(`w ${address}`);
      const w = {
        closed: false,
        put: async (block: BlockPut): Promise<BlockPutAck> =>
          block.cid === 'bad' ? { cid: block.cid, stored: false, error: 'CORRUPT_BLOCK', message: 'no' } : { cid: block.cid, stored: block.cid !== 'deleted', error: '', message: '' },
        close() {
          w.closed = true;
        },
      };
      return w;
    },
  };
  return { transport, opened, readers };
}

describe('BlockStreams', () => {
  const peer = contact(2);
  const put = (cid: string): BlockPut => ({ cid, data: new Uint8Array([1]), roots: [], hintFor: '' });

  it('one read stream and one write stream per peer, reused by every block', async () => {
    const clock = new ManualClock(0);
    const { transport, opened } = fakeTransport();
    const streams = new BlockStreams({ transport, clock, blockDeadlineMs: 1_000 });
    assert.deepEqual(await streams.fetch(peer, 'a', undefined), new Uint8Array([1]));
    assert.equal(await streams.fetch(peer, 'none', undefined), undefined);
    assert.equal(await streams.store(peer, put('a'), undefined), true);
    assert.equal(await streams.store(peer, put('deleted'), undefined), false);
    await assert.rejects(streams.store(peer, put('bad'), undefined), { code: 'CORRUPT_BLOCK' });
    assert.deepEqual(opened, [`r ${peer.address}`, `w ${peer.address}`]);
    streams.close();
  });

  it('a caller’s signal rejects its fetch only: the stream stays open for the others', async () => {
    const clock = new ManualClock(0);
    const { transport, readers } = fakeTransport();
    const streams = new BlockStreams({ transport, clock, blockDeadlineMs: 1_000 });
    const controller = new AbortController();
    const hanging = streams.fetch(peer, 'hang', controller.signal);
    controller.abort();
    await assert.rejects(hanging, { code: 'ABORTED' });
    assert.equal(readers[0]!.closed, false);
    assert.deepEqual(await streams.fetch(peer, 'b', undefined), new Uint8Array([1]));
    streams.close();
    assert.equal(readers[0]!.closed, true);
  });

  it('closes streams unused for the idle time, and opens a new one on the next use', async () => {
    const clock = new ManualClock(0);
    const { transport, opened, readers } = fakeTransport();
    const streams = new BlockStreams({ transport, clock, blockDeadlineMs: 1_000 });
    await streams.fetch(peer, 'a', undefined);
    assert.equal(streams.open, 1);
    await clock.advance(DEFAULT_STREAM_IDLE_MS + 1);
    assert.equal(streams.open, 0);
    assert.equal(readers[0]!.closed, true);
    await streams.fetch(peer, 'a', undefined);
    assert.equal(opened.length, 2);
    streams.close();
  });
});
