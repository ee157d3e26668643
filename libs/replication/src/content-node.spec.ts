import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerTransport } from '@peerweave/protocol';
import type { BlockStore } from '@peerweave/storage';
import { ContentNode } from './content-node.ts';
import type { ContentRouting } from './replica-set.ts';
import { contact, MemoryBlockStore, memoryDb, signer } from './test-support.ts';

function node() {
  const clock = new ManualClock(0);
  const listeners = new Set<() => void>();
  const routing: ContentRouting = {
    lookup: async () => ({ closest: [], timedOut: false }),
    closestKnown: () => [],
    neighbourhood: () => [],
    on: (_e, l) => listeners.add(l),
    off: (_e, l) => listeners.delete(l),
  };
  const transport = { request: async () => ({}), close: async () => {} } as unknown as PeerTransport;
  const content = new ContentNode({
    self: contact(1),
    identity: signer(),
    routing,
    transport,
    blocks: new MemoryBlockStore() as unknown as BlockStore,
    db: memoryDb(),
    clock,
  });
  return { clock, listeners, content };
}

describe('ContentNode (facade)', () => {
  it('starts the components with timers and stops every one of them', async () => {
    const { clock, listeners, content } = node();
    await content.start();
    await content.start();
    assert.equal(clock.pending, 3, 'repair, anti-entropy and provider refresh');
    assert.equal(listeners.size, 2, 'repair and anti-entropy follow contact changes');
    await content.stop();
    await content.stop();
    assert.equal(clock.pending, 0);
    assert.equal(listeners.size, 0);
  });

  it('is its own contact, and serves through one handler object', () => {
    const { content } = node();
    assert.equal(content.id, contact(1).id);
    assert.deepEqual(content.self, contact(1));
    assert.equal(content.handler, content.handler);
    assert.equal(typeof content.handler.putBlock, 'function');
  });

  it('alone in the network, a put cannot reach w = 2 and nothing is listed', async () => {
    const { content } = node();
    async function* once(): AsyncIterable<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
    }
    await assert.rejects(content.put(once(), { name: 'f', contentType: 't', keywords: [] }), { code: 'INSUFFICIENT_REPLICAS' });
    assert.deepEqual(content.list({ limit: 10 }), { objects: [] });
  });
});
