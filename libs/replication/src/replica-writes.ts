import type { Clock, TimerHandle } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import type { CopyOutcome } from './write-plan.ts';

/**
 * A replica that has not acknowledged a block after this long, and has answered no other write of
 * this node meanwhile, gets a stand-in: the block also goes to the next node of the preference
 * list as a hint for it (Dynamo's sloppy quorum), without giving up on the replica. The write's
 * counterpart of the read's speculative retry (record-lookup.ts, SPECULATIVE_RETRY_MS, the same
 * figure): far above a block write's round trip on a LAN, far below the call's deadline
 * (PEERWEAVE_DEADLINE_MS, 5 s), which a write otherwise spends on a replica across a partition or
 * on a frozen host until SWIM declares it dead, before it even starts the hand-off. Costs one more
 * copy of the block (and a hand-back later) only then.
 */
export const SPECULATIVE_HANDOFF_MS = 500;

/** How one node took a copy. */
export type StoreResult = 'stored' | 'refused' | 'failed';

export interface ReplicaWritesInit {
  cid: string;
  /** The r replicas of the block, nearest first. */
  targets: readonly PeerContact[];
  /** The nodes after them in the preference list, in order: stand-ins, each taken at most once. */
  spares: readonly PeerContact[];
  /** w: replica copies (not hints) that make the block's quorum. */
  w: number;
  /** Stores one copy: `hintFor` '' for a replica's own copy, else the id of the replica it stands in for. */
  store(peer: PeerContact, hintFor: string): Promise<StoreResult>;
  clock: Clock;
  /** Default {@link SPECULATIVE_HANDOFF_MS}. */
  speculativeMs?: number;
  /**
   * When `id` last acknowledged a write of this node (clock ms). A copy in flight to a replica that
   * answered since the copy started is only queued behind others (a busy write stream), not lost:
   * it gets no stand-in until the replica has been silent for the speculative delay.
   */
  answeredAt?(id: string): number | undefined;
}

export interface ReplicaWrites {
  /**
   * The copies settled once the block's outcome is known: every replica answered, or stands in by
   * a hint, or has nothing left to try; and w replicas stored it, or every replica answered. A
   * replica still in flight then is not among them (it counts as not stored).
   */
  readonly enough: Promise<CopyOutcome[]>;
  /** Resolves when every copy started has settled, with those that settled after {@link enough}. */
  readonly settled: Promise<CopyOutcome[]>;
}

/**
 * Sends one block to its r replicas at once, with hinted hand-off: a replica that fails, or stays
 * silent for the speculative delay, gets a hint on the next spare; a spare that fails or stays
 * silent as long is followed by the next one. Nothing here decides the write's acknowledgement:
 * the caller counts replica copies (write-plan.ts quorumShortfall), as without the speculation.
 *
 * When w replicas stored the block, a replica still in flight does not hold the write for its
 * deadline once it has a stand-in, or no spare is left to give it one; when fewer did, the write
 * waits for every replica's answer, as it always did (a slow replica may still make the quorum).
 */
export function writeReplicas(init: ReplicaWritesInit): ReplicaWrites {
  return new ReplicaWriteRound(init).start();
}

/**
 * A replica's stand-in: none yet; a hint in flight with more spares to add if it stays silent;
 * stored; every spare tried and failed; or hints still in flight, all silent, none left to add.
 */
type StandIn = 'none' | 'trying' | 'stored' | 'exhausted' | 'silent';

class ReplicaWriteRound {
  readonly #init: ReplicaWritesInit;
  readonly #delayMs: number;
  readonly #spares: PeerContact[];
  readonly #result: (StoreResult | undefined)[];
  readonly #standIn: StandIn[];
  /** Hint copies in flight per replica. */
  readonly #hintsInFlight: number[];
  readonly #timers = new Set<TimerHandle>();
  /** Settled copies: replicas' in their order first, then hints as they settled. */
  readonly #targetCopies: (CopyOutcome | undefined)[];
  readonly #hintCopies: CopyOutcome[] = [];
  readonly #late: CopyOutcome[] = [];
  #inFlight = 0;
  #enough = false;
  #resolveEnough!: (copies: CopyOutcome[]) => void;
  #resolveSettled!: (copies: CopyOutcome[]) => void;

  constructor(init: ReplicaWritesInit) {
    this.#init = init;
    this.#delayMs = init.speculativeMs ?? SPECULATIVE_HANDOFF_MS;
    this.#spares = [...init.spares];
    const n = init.targets.length;
    this.#result = new Array<StoreResult | undefined>(n).fill(undefined);
    this.#standIn = new Array<StandIn>(n).fill('none');
    this.#hintsInFlight = new Array<number>(n).fill(0);
    this.#targetCopies = new Array<CopyOutcome | undefined>(n).fill(undefined);
  }

  start(): ReplicaWrites {
    const enough = new Promise<CopyOutcome[]>((resolve) => (this.#resolveEnough = resolve));
    const settled = new Promise<CopyOutcome[]>((resolve) => (this.#resolveSettled = resolve));
    this.#init.targets.forEach((peer, i) => {
      const startedAt = this.#init.clock.now();
      this.#launch(peer, '', (result) => this.#targetSettled(i, result));
      this.#watch(peer.id, startedAt, () => this.#result[i] === undefined && this.#standIn[i] === 'none', () => this.#handOff(i));
    });
    this.#check();
    return { enough, settled };
  }

  /** One copy in flight; `done` gets its result. */
  #launch(peer: PeerContact, hintFor: string, done: (result: StoreResult) => void): void {
    this.#inFlight++;
    void this.#init
      .store(peer, hintFor)
      .catch((): StoreResult => 'failed')
      .then((result) => {
        this.#inFlight--;
        const copy: CopyOutcome = { cid: this.#init.cid, peer, hintFor, result };
        if (this.#enough) {
          if (hintFor === '' || result === 'stored') this.#late.push(copy);
        } else if (hintFor === '') {
          this.#targetCopies[this.#init.targets.indexOf(peer)] = copy;
        } else if (result === 'stored') {
          this.#hintCopies.push(copy);
        }
        done(result);
        this.#check();
      });
  }

  /**
   * After the speculative delay, `act` if `still()` holds and `id` has answered no write since
   * `since`; if it answered meanwhile, waits until it has been silent that long.
   */
  #watch(id: string, since: number, still: () => boolean, act: () => void): void {
    const arm = (at: number): void => {
      const timer = this.#init.clock.setTimeout(
        () => {
          this.#timers.delete(timer);
          if (this.#enough || !still()) return;
          const answered = this.#init.answeredAt?.(id);
          if (answered !== undefined && answered > since && answered + this.#delayMs > this.#init.clock.now()) return arm(answered);
          act();
          this.#check();
        },
        Math.max(0, at + this.#delayMs - this.#init.clock.now()),
      );
      this.#timers.add(timer);
    };
    arm(since);
  }

  #targetSettled(i: number, result: StoreResult): void {
    this.#result[i] = result;
    if (result === 'failed' && this.#standIn[i] === 'none') this.#handOff(i);
  }

  /** The next spare takes a hint for replica `i`; a spare that fails or stays silent is followed by the next. */
  #handOff(i: number): void {
    if (this.#enough || this.#standIn[i] === 'stored') return;
    const spare = this.#spares.shift();
    if (spare === undefined) {
      this.#standIn[i] = this.#hintsInFlight[i] === 0 ? 'exhausted' : 'silent';
      return;
    }
    this.#standIn[i] = 'trying';
    this.#hintsInFlight[i]!++;
    const forId = this.#init.targets[i]!.id;
    const startedAt = this.#init.clock.now();
    let done = false;
    this.#launch(spare, forId, (result) => {
      done = true;
      this.#hintsInFlight[i]!--;
      if (result === 'stored') this.#standIn[i] = 'stored';
      else if (this.#standIn[i] !== 'stored') this.#handOff(i);
    });
    this.#watch(spare.id, startedAt, () => !done && this.#standIn[i] !== 'stored', () => this.#handOff(i));
  }

  #check(): void {
    if (!this.#enough && this.#isEnough()) {
      this.#enough = true;
      for (const t of this.#timers) this.#init.clock.clearTimeout(t);
      this.#timers.clear();
      this.#resolveEnough([...this.#targetCopies.filter((c) => c !== undefined), ...this.#hintCopies]);
    }
    if (this.#enough && this.#inFlight === 0) this.#resolveSettled(this.#late);
  }

  #isEnough(): boolean {
    const stored = this.#result.filter((r) => r === 'stored').length;
    const allAnswered = this.#result.every((r) => r !== undefined);
    if (stored < this.#init.w && !allAnswered) return false;
    return this.#result.every((r, i) => {
      const standIn = this.#standIn[i]!;
      if (r === 'stored' || r === 'refused' || standIn === 'stored' || standIn === 'exhausted') return true;
      // Hints in flight, silent, no spare left to add: with w replicas stored they may finish late.
      return standIn === 'silent' && stored >= this.#init.w;
    });
  }
}
