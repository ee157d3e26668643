import type { Clock } from '@peerweave/core';

/** Peers remembered; beyond it the memory starts afresh (a forgotten peer is simply not known silent). */
const MAX_PEERS = 4_096;

interface PeerState {
  /** Copies sent to it that have not settled. */
  pending: number;
  /** Since when it has owed an answer: the start of the oldest copy sent since its last answer. */
  owedSince: number | undefined;
  /** When it last answered a copy (stored or refused). */
  answeredAt: number | undefined;
  /** When a copy to it last failed (unreachable, deadline), if after its last answer. */
  failedAt: number | undefined;
}

/**
 * What this node's writes have seen of each peer, across blocks and uploads: a peer that owes an
 * answer for `silentAfterMs` and gave none meanwhile (across a partition, frozen, or dead but not
 * yet declared so), or whose last copy failed, is silent until it answers again. Writes use it so
 * that only the first blocks meet a silent replica's speculative delay: the later ones hand off at
 * once, and spares known silent are passed over (replica-writes.ts). A busy peer is not silent: any
 * answer resets the wait.
 */
export class PeerSilence {
  readonly #clock: Clock;
  readonly #silentAfterMs: number;
  readonly #peers = new Map<string, PeerState>();

  constructor(clock: Clock, silentAfterMs: number) {
    this.#clock = clock;
    this.#silentAfterMs = silentAfterMs;
  }

  /** A copy to `id` is on its way. */
  sent(id: string): void {
    const p = this.#state(id);
    if (p.pending++ === 0 || p.owedSince === undefined) p.owedSince = this.#clock.now();
  }

  /**
   * A copy to `id` settled: `answered` (stored or refused), `failed` (unreachable, deadline), or
   * `cancelled` by this node (its put was aborted: says nothing of the peer).
   */
  settled(id: string, outcome: 'answered' | 'failed' | 'cancelled'): void {
    const p = this.#state(id);
    p.pending = Math.max(0, p.pending - 1);
    const now = this.#clock.now();
    if (outcome === 'answered') {
      p.answeredAt = now;
      p.failedAt = undefined;
      // What it still owes is owed since now: it is answering, in order, behind others.
      p.owedSince = p.pending > 0 ? now : undefined;
      return;
    }
    if (outcome === 'failed') p.failedAt = now;
    if (p.pending === 0) p.owedSince = undefined;
  }

  /** When `id` last answered a copy (clock ms), if it has. */
  answeredAt(id: string): number | undefined {
    return this.#peers.get(id)?.answeredAt;
  }

  /** True when `id` failed its last copy, or has owed an answer for the silence delay. */
  silent(id: string): boolean {
    const p = this.#peers.get(id);
    if (p === undefined) return false;
    if (p.failedAt !== undefined) return true;
    return p.owedSince !== undefined && this.#clock.now() - p.owedSince >= this.#silentAfterMs;
  }

  #state(id: string): PeerState {
    let p = this.#peers.get(id);
    if (p === undefined) {
      if (this.#peers.size >= MAX_PEERS) this.#peers.clear();
      this.#peers.set(id, (p = { pending: 0, owedSince: undefined, answeredAt: undefined, failedAt: undefined }));
    }
    return p;
  }
}
