import type { Clock, Random, Startable } from '@peerweave/core';
import type { SearchClient, SearchLoadResponse, SearchOrigin } from '@peerweave/protocol';
import { isUnreachable } from './search-options.ts';

/** Supernodes remembered from SearchLoad answers, at most. */
export const MAX_LEARNT_SUPERNODES = 256;
/** Overlay neighbours asked for the supernodes they know when this node knows none. */
export const DISCOVERY_FANOUT = 3;
/** Known supernodes a supernode asks for theirs each maintenance round. */
export const MESH_GOSSIP_FANOUT = 2;
/**
 * Supernodes a gossip round asks at most, the first few picked and those they named that this node
 * did not know (each ask also tells the one asked about this supernode). 32 reaches a mesh of a
 * few dozen supernodes in one round; a larger one is covered over the next rounds.
 */
export const MESH_CRAWL_MAX = 32;
/**
 * Nodes outside the mesh a supernode's gossip round also asks which supernodes they know: one of
 * its own leaves (each attaches to two supernodes, so a leaf bridges two parts of the mesh that
 * do not know each other yet). Without it a few supernodes that know only one another stay a
 * separate mesh (10 000 nodes, 20 supernodes: one still knew 2 of 19 after 15 rounds).
 */
export const MESH_BRIDGE_FANOUT = 1;
/** Longest pause, in maintenance rounds, between two discovery attempts that found nothing. */
export const MAX_DISCOVERY_BACKOFF_ROUNDS = 16;

/** Discovery's back-off: rounds still to skip, and how many to skip after the next miss. */
export interface DiscoveryBackoff {
  readonly wait: number;
  readonly backoff: number;
}

export const NO_BACKOFF: DiscoveryBackoff = { wait: 0, backoff: 1 };

/** Before a discovery round: ask now, or skip this round (one fewer left to wait). */
export function beforeDiscovery(b: DiscoveryBackoff): { ask: boolean; next: DiscoveryBackoff } {
  return b.wait > 0 ? { ask: false, next: { wait: b.wait - 1, backoff: b.backoff } } : { ask: true, next: b };
}

/** After a discovery round: found some, start over; found none, wait twice as long (capped). */
export function afterDiscovery(b: DiscoveryBackoff, found: boolean): DiscoveryBackoff {
  if (found) return { wait: b.wait, backoff: 1 };
  return { wait: b.backoff, backoff: Math.min(b.backoff * 2, MAX_DISCOVERY_BACKOFF_ROUNDS) };
}

/** Routing shows a supernode at a higher incarnation than `before` (both known): it restarted, or refuted a suspicion. */
export function incarnationRose(before: number | undefined, now: number | undefined): boolean {
  return before !== undefined && now !== undefined && now > before;
}

/** Up to `n` of `items` drawn at random without repetition (the input is left alone). */
export function pickRandom<T>(items: readonly T[], n: number, random: Random): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < n && pool.length > 0) picked.push(pool.splice(random.int(pool.length), 1)[0]!);
  return picked;
}

/**
 * A supernode as routing knows it, with its SWIM incarnation when routing gave one: a node starts
 * with an incarnation above any of its previous run, and raises it to refute a suspicion, so a
 * higher one than before means it restarted (or was suspected) since.
 */
export interface SupernodeCandidate extends SearchOrigin {
  readonly incarnation?: number;
}

/** Routing's candidates first, then the learnt ones not among them; never `selfId`. */
export function mergeKnown(candidates: readonly SupernodeCandidate[], learnt: Iterable<SearchOrigin>, selfId: string): SupernodeCandidate[] {
  const out = new Map<string, SupernodeCandidate>();
  for (const c of candidates) if (c.id !== selfId) out.set(c.id, c);
  for (const c of learnt) if (c.id !== selfId && !out.has(c.id)) out.set(c.id, c);
  return [...out.values()];
}

export interface SupernodeDirectoryInit {
  selfId: string;
  transport: SearchClient;
  clock: Clock;
  random: Random;
  /** Overlay neighbours, asked which supernodes they know when this node knows none. */
  overlay(): readonly SearchOrigin[];
  /** Supernodes routing knows of (contacts whose role is `supernode`), with their incarnations. */
  supernodeCandidates(): readonly SupernodeCandidate[];
  callDeadlineMs: number;
  /** Set on a supernode: itself, sent with each SearchLoad so the supernodes it asks learn it. */
  announce?: SearchOrigin;
  /** Set on a supernode: nodes that may know supernodes it does not (its leaves), asked each gossip round. */
  bridges?(): readonly SearchOrigin[];
  /** How long a supernode that failed, refused or is none is not tried again (unless it comes back with a higher incarnation). */
  shunMs: number;
}

/** A shun: not before `until`, unless the supernode shows an incarnation above `incarnation`. */
interface Shun {
  until: number;
  incarnation: number | undefined;
}

/**
 * Which supernodes this node knows: routing's candidates and those learnt from SearchLoad
 * answers, the ones not to try for a while (shunned; a shun ends early when routing shows the
 * supernode at a higher incarnation than when it was shunned, i.e. it restarted), and discovery
 * with back-off when it knows none. No timer of its own: the maintenance rounds of the leaf client and the supernode server
 * drive it.
 */
export class SupernodeDirectory implements Startable {
  readonly #init: SupernodeDirectoryInit;
  /** Supernodes learnt from SearchLoad answers (oldest first). */
  readonly #learnt = new Map<string, SearchOrigin>();
  /** Supernodes not to attach to for a while (failed, full, not a supernode). */
  readonly #shunned = new Map<string, Shun>();
  /** The last incarnation routing showed of each supernode (oldest first), kept past its death. */
  readonly #incarnations = new Map<string, number>();
  #backoff = NO_BACKOFF;

  constructor(init: SupernodeDirectoryInit) {
    this.#init = init;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Supernodes this node knows (candidates from routing and those learnt), itself excluded. */
  known(): SupernodeCandidate[] {
    const candidates = this.#init.supernodeCandidates();
    for (const c of candidates) if (c.incarnation !== undefined) this.#sawIncarnation(c.id, c.incarnation);
    return mergeKnown(candidates, this.#learnt.values(), this.#init.selfId);
  }

  /** The incarnation routing last showed of supernode `id` (undefined if it never showed one). */
  incarnationOf(id: string): number | undefined {
    return this.#incarnations.get(id);
  }

  /** Forgets a learnt supernode (routing's candidates are routing's to drop). */
  forget(id: string): void {
    this.#learnt.delete(id);
  }

  /** Not to be tried again for `shunMs`, or until it shows a higher incarnation than it has now. */
  shun(id: string): void {
    this.#shunned.set(id, { until: this.#init.clock.now() + this.#init.shunMs, incarnation: this.#incarnations.get(id) });
  }

  /** Forgotten and shunned: it failed, or is no supernode. */
  giveUp(id: string): void {
    this.forget(id);
    this.shun(id);
  }

  /** Shunned, and not restarted since (as far as the last `known()` showed). */
  isShunned(id: string): boolean {
    const shun = this.#shunned.get(id);
    if (shun === undefined) return false;
    if (shun.until > this.#init.clock.now() && !incarnationRose(shun.incarnation, this.#incarnations.get(id))) return true;
    this.#shunned.delete(id);
    return false;
  }

  /** Drops the shuns that have run out (each maintenance round). */
  prune(): void {
    const now = this.#init.clock.now();
    for (const [id, shun] of this.#shunned) if (shun.until <= now) this.#shunned.delete(id);
  }

  /** SearchLoad of `c`; learns the supernodes it lists; gives `c` up when it is none or unreachable. */
  async load(c: SearchOrigin): Promise<SearchLoadResponse | undefined> {
    try {
      const { announce } = this.#init;
      const request = announce === undefined ? { from: this.#init.selfId } : { from: this.#init.selfId, supernode: announce };
      const r = await this.#init.transport.request(c.address, 'searchLoad', request, { deadlineMs: this.#init.callDeadlineMs });
      this.#learn(r.supernodes);
      if (!r.supernode) this.giveUp(c.id);
      return r;
    } catch (err) {
      if (isUnreachable(err)) this.giveUp(c.id);
      return undefined;
    }
  }

  /** A supernode that asked this one (SearchLoad with itself announced): one of the mesh. */
  heardFrom(supernode: SearchOrigin): void {
    if (!this.isShunned(supernode.id)) this.#learn([supernode]);
  }

  /**
   * Supernode: asks a few known supernodes (or, knowing none, a few neighbours) which supernodes
   * they know, then asks the ones they named that it did not know (each ask announces this
   * supernode to the one asked), up to MESH_CRAWL_MAX asks: the supernodes know one another (their
   * mesh) after a round or two instead of one heartbeat per step of gossip. True when it learnt a
   * supernode it did not know (the mesh is still growing: worth another round soon).
   */
  async gossip(): Promise<boolean> {
    const known = this.known();
    const before = new Set(known.map((s) => s.id));
    const seen = new Set(before);
    const grew = (): boolean => this.known().some((s) => !before.has(s.id));
    let asks = 0;
    if (known.length === 0) {
      await this.discover();
    } else {
      const picked = pickRandom(known, MESH_GOSSIP_FANOUT, this.#init.random);
      const bridges = pickRandom(this.#init.bridges?.() ?? [], MESH_BRIDGE_FANOUT, this.#init.random);
      asks += picked.length + bridges.length;
      await Promise.all([...picked, ...bridges].map((s) => this.load(s)));
    }
    for (;;) {
      const fresh = this.known().filter((s) => !seen.has(s.id) && !this.isShunned(s.id));
      if (fresh.length === 0 || asks >= MESH_CRAWL_MAX) return grew();
      const round = fresh.slice(0, MESH_CRAWL_MAX - asks);
      for (const s of fresh) seen.add(s.id);
      asks += round.length;
      await Promise.all(round.map((s) => this.load(s)));
    }
  }

  /**
   * Knowing no supernode, asks a few overlay neighbours which ones they know (anybody answers
   * SearchLoad). With exponential back-off in rounds, so a network without supernodes is not
   * asked every heartbeat.
   */
  async discover(): Promise<void> {
    const { ask, next } = beforeDiscovery(this.#backoff);
    this.#backoff = next;
    if (!ask) return;
    const asked = pickRandom(this.#init.overlay(), DISCOVERY_FANOUT, this.#init.random);
    await Promise.all(asked.map((n) => this.load(n)));
    this.#backoff = afterDiscovery(this.#backoff, this.known().length > 0);
  }

  #sawIncarnation(id: string, incarnation: number): void {
    const before = this.#incarnations.get(id);
    if (before !== undefined && before >= incarnation) return;
    if (before === undefined && this.#incarnations.size >= MAX_LEARNT_SUPERNODES) this.#incarnations.delete(this.#incarnations.keys().next().value!);
    this.#incarnations.set(id, incarnation);
  }

  #learn(supernodes: readonly SearchOrigin[]): void {
    for (const s of supernodes) {
      if (s.id === this.#init.selfId || this.#learnt.has(s.id)) continue;
      if (this.#learnt.size >= MAX_LEARNT_SUPERNODES) this.#learnt.delete(this.#learnt.keys().next().value!);
      this.#learnt.set(s.id, { id: s.id, address: s.address });
    }
  }
}
