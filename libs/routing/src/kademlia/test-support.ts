/**
 * An in-memory Kademlia network for lookup tests and simulations: every node a RoutingTable,
 * FIND_NODE answered from that table after a delay on the injected clock. No transport, no SWIM:
 * it exercises the table and the lookup alone, and counts what a lookup does to it.
 */
import { UnavailableError, type Clock, type Random } from '@peerweave/core';
import { idToHex, toContactInfo, type ContactInfo } from './contact.ts';
import { closestN } from './distance.ts';
import { DEFAULT_K } from './k-bucket.ts';
import type { FindNodeQuery } from './lookup.ts';
import { RoutingTable } from './routing-table.ts';

export interface FakeNode {
  readonly info: ContactInfo;
  readonly idBytes: Uint8Array;
  readonly table: RoutingTable;
}

export interface FakeKademliaNetworkInit {
  size: number;
  clock: Clock;
  /** Ids, table filling and delays all come from here, so a seed replays a network exactly. */
  random: Random;
  /** Default {@link DEFAULT_K}. */
  k?: number;
  /** Random others each node observes, besides its k true closest. Default 100. */
  randomContacts?: number;
  /** A FIND_NODE answer takes `delayMs` plus up to `jitterMs`. Defaults 10 and 10. */
  delayMs?: number;
  jitterMs?: number;
}

const byIdBytes = (n: FakeNode): Uint8Array => n.idBytes;

export class FakeKademliaNetwork {
  readonly nodes: FakeNode[] = [];
  readonly k: number;
  /** Nodes that answer UNAVAILABLE (after the usual delay). */
  readonly dead = new Set<string>();
  /** Nodes that never answer and ignore the abort signal: only the lookup's own deadline saves it. */
  readonly silent = new Set<string>();
  /** Queries started but not settled right now, the most ever, and in total. */
  inFlight = 0;
  maxInFlight = 0;
  queries = 0;
  readonly #byId = new Map<string, FakeNode>();
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #delayMs: number;
  readonly #jitterMs: number;

  constructor(init: FakeKademliaNetworkInit) {
    this.k = init.k ?? DEFAULT_K;
    this.#clock = init.clock;
    this.#random = init.random;
    this.#delayMs = init.delayMs ?? 10;
    this.#jitterMs = init.jitterMs ?? 10;
    for (let i = 0; i < init.size; i++) {
      const idBytes = init.random.bytes(32);
      const id = idToHex(idBytes);
      const node: FakeNode = {
        info: { id, address: `10.0.${i >> 8}.${i & 255}:4001`, role: 'peer', incarnation: 1 },
        idBytes,
        table: new RoutingTable({ self: idBytes, k: this.k }),
      };
      this.nodes.push(node);
      this.#byId.set(id, node);
    }
    const now = init.clock.now();
    const randomContacts = Math.min(init.randomContacts ?? 100, init.size - 1);
    for (const node of this.nodes) {
      // True neighbours first so that a full far bucket never pushes them into a cache.
      for (const near of this.closestTo(node.idBytes, this.k, node.info.id)) node.table.observe(near.info, now);
      for (let added = 0; added < randomContacts; ) {
        const other = this.nodes[init.random.int(this.nodes.length)]!;
        if (other === node) continue;
        node.table.observe(other.info, now);
        added++;
      }
    }
  }

  /** Neither dead nor silent. */
  isUp(id: string): boolean {
    return !this.dead.has(id) && !this.silent.has(id);
  }

  node(id: string): FakeNode | undefined {
    return this.#byId.get(id);
  }

  /** The `n` nodes closest to `key` by brute force, skipping `exclude`, dead and silent nodes. */
  closestTo(key: Uint8Array, n: number, exclude?: string): FakeNode[] {
    const live = this.nodes.filter((x) => x.info.id !== exclude && this.isUp(x.info.id));
    return closestN(live, key, n, byIdBytes);
  }

  /** A FIND_NODE for `key` answered from the queried node's table. */
  query(key: Uint8Array): FindNodeQuery {
    return async (contact, signal) => {
      this.queries++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      if (this.silent.has(contact.id)) {
        // Never settles; it stops counting as in flight once the lookup gives up on it.
        signal.addEventListener('abort', () => this.inFlight--, { once: true });
        return new Promise<never>(() => {});
      }
      try {
        await this.#clock.sleep(this.#delayMs + this.#random.int(this.#jitterMs + 1), { signal });
        const target = this.#byId.get(contact.id);
        if (target === undefined || this.dead.has(contact.id)) {
          throw new UnavailableError(`no answer from ${contact.address}`);
        }
        return target.table.closest(key, this.k).map(toContactInfo);
      } finally {
        this.inFlight--;
      }
    };
  }

  resetCounters(): void {
    this.maxInFlight = this.inFlight;
    this.queries = 0;
  }
}
