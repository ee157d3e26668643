// Spec helpers of the search lib: SearchNodes on a small in-memory network and a manual clock.
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import type { HitsRequest, IndexEntry, QueryRequest, SearchHandler, SearchOrigin } from '@peerweave/protocol';
import { MemoryNetwork } from '@peerweave/protocol/testing';
import { SearchNode, type SearchNodeInit } from './search-node.ts';
import type { SupernodeCandidate } from './supernode-directory.ts';
import { MemoryIndex, MemoryLeafIndex } from './testing/memory-index.ts';

export const hexId = (c: string): string => c.repeat(64);
export const entry = (cid: string, name: string, keywords: string[] = []): IndexEntry => ({ cid, name, size: 10, contentType: 'text/plain', keywords });

/** A small network on a manual clock; messages are validated as the wire would. */
export function setup() {
  const clock = new ManualClock(1_000_000);
  const random = new SeededRandom(42);
  const network = new MemoryNetwork({ clock, random, latencyMs: 1, defaultDeadlineMs: 2_000, validateMessages: true });
  const nodes = new Map<string, { node: SearchNode; records: MemoryIndex; leafIndex?: MemoryLeafIndex; overlay: SearchOrigin[]; candidates: SupernodeCandidate[] }>();

  function add(
    c: string,
    options: Partial<Omit<SearchNodeInit, 'self' | 'transport' | 'clock' | 'random' | 'index' | 'overlay' | 'supernodeCandidates' | 'localEntries'>> = {},
  ) {
    const self = { id: hexId(c), address: `${c}:1` };
    const records = new MemoryIndex();
    const leafIndex = options.role === 'supernode' ? new MemoryLeafIndex() : undefined;
    const overlay: SearchOrigin[] = [];
    /** What routing would show: supernodes, with an incarnation when a test gives one. */
    const candidates: SupernodeCandidate[] = [];
    let node: SearchNode | undefined;
    const listener = network.listen(self.address, {
      query: (r, ctx) => node!.handler.query(r, ctx),
      hits: (r, ctx) => node!.handler.hits(r, ctx),
      attach: (r, ctx) => node!.handler.attach(r, ctx),
      publish: (r, ctx) => node!.handler.publish(r, ctx),
      searchLoad: (r, ctx) => node!.handler.searchLoad(r, ctx),
    });
    node = new SearchNode({
      role: 'peer',
      quietMs: 100,
      ...options,
      self,
      transport: listener.transport,
      clock,
      random,
      index: records,
      ...(leafIndex ? { leafIndex } : {}),
      overlay: () => overlay,
      supernodeCandidates: () => candidates,
      localEntries: () => records.entries(),
    });
    const n = { node, records, overlay, candidates, self, ...(leafIndex ? { leafIndex } : {}) };
    nodes.set(c, n);
    return n;
  }

  /** A node that only records what it is sent. */
  function spy(c: string, queryAnswer = true) {
    const self = { id: hexId(c), address: `${c}:1` };
    const queries: QueryRequest[] = [];
    const hits: HitsRequest[] = [];
    const handler: Partial<SearchHandler> = {
      query: async (r) => {
        queries.push(r);
        return { accepted: queryAnswer };
      },
      hits: async (r) => {
        hits.push(r);
        return { wanted: true };
      },
    };
    const listener = network.listen(self.address, handler);
    return { self, queries, hits, transport: listener.transport };
  }

  async function settle<T>(promise: Promise<T>, step = 5): Promise<T> {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    while (!done) await clock.advance(step);
    return promise;
  }

  /** Moves the clock in steps until `condition` holds; fails after `maxMs` of clock time. */
  async function until(condition: () => boolean, what: string, { maxMs = 10_000, stepMs = 5 } = {}): Promise<void> {
    const start = clock.now();
    while (!condition()) {
      if (clock.now() - start >= maxMs) throw new Error(`${what}: not within ${maxMs} ms of clock time`);
      await clock.advance(stepMs);
    }
  }

  const query = (over: Partial<QueryRequest> & { origin: SearchOrigin }): QueryRequest => ({
    queryId: '0123456789abcdef0123456789abcdef',
    text: 'cat',
    ttl: 3,
    hops: 0,
    limit: 10,
    mode: 'flood',
    from: over.origin.id,
    ...over,
  });

  return { clock, random, network, add, spy, settle, until, query, nodes };
}
