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
  /**
   * True when `id` is known silent from other copies (peer-silence.ts): as a replica it gets its
   * stand-in at once (its own copy still goes out), as a spare it is passed over while a spare not
   * known silent is left.
   */
  silent?(id: string): boolean;
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
 * Sends one block to its r replicas at once, with hinted hand-off (Dynamo's sloppy quorum): a
 * replica that fails, or stays silent for the speculative delay (at once when it is known silent
 * from other copies), gets a hint on the next spare; a spare that fails or stays silent as long is
 * followed by the next one. Nothing here decides the write's acknowledgement: the caller counts
 * the copies (write-plan.ts quorumShortfall), a stored hint as one of the w.
 *
 * The block's outcome is known once w copies are stored and every replica stored, refused or has
 * a stand-in that stored, went silent or found no spare; short of w copies, once nothing is in
 * flight any more (every copy answered or reached its deadline, every spare tried). Each copy
 * has the call deadline and the spares are few, so a block never waits longer than
 * spares × speculative delay + deadline.
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
      // Asked before the copy goes out: a copy in flight makes no peer silent by itself.
      const knownSilent = this.#init.silent?.(peer.id) === true;
      this.#launch(peer, '', (result) => this.#targetSettled(i, result));
      if (knownSilent) this.#handOff(i);
      else this.#watch(peer.id, startedAt, () => this.#result[i] === undefined && this.#standIn[i] === 'none', () => this.#handOff(i, 'silent'));
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

  /**
   * The next spare takes a hint for replica `i`; a spare that fails or stays silent is followed by
   * the next, but a silent hint is followed only while the block is short of w copies: with w
   * stored, it is left to finish late rather than walk every spare (bounded wait).
   */
  #handOff(i: number, why: 'failed' | 'silent' = 'failed'): void {
    if (this.#enough || this.#standIn[i] === 'stored') return;
    if (why === 'silent' && this.#standIn[i] === 'trying' && this.#copies() >= this.#init.w) {
      this.#standIn[i] = 'silent';
      return;
    }
    const spare = this.#nextSpare();
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
    this.#watch(spare.id, startedAt, () => !done && this.#standIn[i] === 'trying', () => this.#handOff(i, 'silent'));
  }

  /** The first spare not known silent, else the first one left (it may have come back). */
  #nextSpare(): PeerContact | undefined {
    const at = this.#spares.findIndex((p) => this.#init.silent?.(p.id) !== true);
    return this.#spares.splice(at < 0 ? 0 : at, 1)[0];
  }

  /** Copies stored so far: replicas' and hints'. */
  #copies(): number {
    return this.#result.filter((r) => r === 'stored').length + this.#standIn.filter((s) => s === 'stored').length;
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
    // Short of w copies: whatever is still in flight may make them (a slow replica, a hint).
    if (this.#copies() < this.#init.w) return this.#inFlight === 0;
    return this.#result.every((r, i) => {
      const standIn = this.#standIn[i]!;
      // A replica without an answer and without a stand-in yet waits for one (its delay at most).
      return r === 'stored' || r === 'refused' || standIn === 'stored' || standIn === 'exhausted' || standIn === 'silent';
    });
  }
}
