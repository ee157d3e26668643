/**
 * Iterative FIND_NODE (Kademlia §2.3): ask the α closest known nodes for their closest to the key,
 * learn from the answers, ask the closest not yet asked, until the k closest nodes seen have all
 * answered.
 *
 * Transport-free: the caller supplies `query` (one FIND_NODE round trip) and the hooks that tell
 * the rest of routing what was learnt. Time comes from the injected clock, so a lookup over an
 * in-memory network replays exactly under a ManualClock.
 */
import {
  DeadlineExceededError,
  ID_BYTES,
  InvalidArgumentError,
  NodeId,
  raceSignal,
  toAbortError,
  withDeadline,
  type Clock,
  type DeadlineSignal,
} from '@peerweave/core';
import { sharedIdBytes, type ContactInfo } from './contact.ts';
import { compareDistance } from './distance.ts';
import { DEFAULT_K } from './k-bucket.ts';

/** Requests in flight per lookup (Kademlia's α). */
export const DEFAULT_ALPHA = 3;
/** Whole-lookup budget: a few hops of a few round trips, plus one or two dead nodes. */
export const DEFAULT_LOOKUP_DEADLINE_MS = 10_000;
/**
 * Budget of one FIND_NODE. Shorter than the lookup's, so a dead node costs one query timeout and
 * the lookup goes on around it; clamped to the lookup deadline.
 */
export const DEFAULT_QUERY_DEADLINE_MS = 2_000;

/**
 * One FIND_NODE round trip to `contact`: its closest contacts to the lookup key. Should stop when
 * `signal` aborts (per-query deadline, lookup deadline or caller abort); the lookup stops waiting
 * then either way.
 */
export type FindNodeQuery = (contact: ContactInfo, signal: AbortSignal) => Promise<readonly ContactInfo[]>;

export interface LookupInit {
  /** The id to find the closest nodes to (32 bytes). */
  key: Uint8Array;
  /** Starting points, usually `table.closest(key, k)`. Their depth is 0 (see {@link LookupResult.hops}). */
  seeds: readonly ContactInfo[];
  query: FindNodeQuery;
  clock: Clock;
  /** How many closest nodes to find. Default {@link DEFAULT_K}. */
  k?: number;
  /** Queries in flight at most. Default {@link DEFAULT_ALPHA}. */
  alpha?: number;
  /** After this the lookup returns what it has with `timedOut`. Default {@link DEFAULT_LOOKUP_DEADLINE_MS}. */
  deadlineMs?: number;
  /** A query not answered in this time has failed. Default {@link DEFAULT_QUERY_DEADLINE_MS}. */
  queryDeadlineMs?: number;
  /** Caller abort: the lookup rejects with the typed abort error (ABORTED unless the reason is typed). */
  signal?: AbortSignal;
  /** Own id (hex): never queried nor returned, wherever it turns up. */
  self?: string;
  /** `contact` answered (routing observes it: contacts are learnt from every message). */
  onResponse?: (contact: ContactInfo, answer: readonly ContactInfo[]) => void;
  /** `contact` failed or timed out (routing tells SWIM). Not called for queries the lookup itself cancels. */
  onFailure?: (contact: ContactInfo, error: unknown) => void;
  /**
   * A refresh's early stop: when given, the lookup ends after its first round (the first α
   * queries, or every seed if fewer) if all of them answered and none named a node for which
   * `known` is false. A bucket refresh exists to learn nodes the table lacks (Kademlia §2.3); in a
   * network the table already holds, every other query of a full lookup only confirms it (in a
   * 22-node network a refresh lookup asked nearly every node). A failed query, or a single unknown
   * node named, and the lookup goes on as a full one.
   */
  known?: (id: string) => boolean;
}

export interface LookupResult {
  /** Up to k nodes that answered, closest to the key first. */
  readonly closest: ContactInfo[];
  /**
   * Depth of `closest[0]`: seeds have depth 0, and a node first named in the answer of a node of
   * depth d has depth d + 1 (the smallest such d if several named it). So 0 when the local table
   * already knew the closest node, 1 when a seed named it, and so on; 0 when nothing answered.
   * This is the hop count the simulator reports.
   */
  readonly hops: number;
  /**
   * Rounds of the lookup until the k closest were known, as IPFS measures a lookup's path length:
   * the greatest depth (see {@link hops}) among `closest`. 0 when the local table already held
   * them all; 1 when the seeds' answers named them all; and so on.
   */
  readonly rounds: number;
  /** Queries sent (including any still in flight at the deadline). */
  readonly queried: number;
  /** Queries that failed or timed out. */
  readonly failed: number;
  /** The lookup deadline passed: `closest` is the best found so far. */
  readonly timedOut: boolean;
}

/**
 * Finds the k nodes closest to `key`. Resolves with the k closest that answered once every one of
 * the k closest non-failed candidates seen has answered and nothing is in flight; on the lookup
 * deadline resolves early with `timedOut`; rejects only on caller abort, if a hook throws, or for
 * an invalid init (INVALID_ARGUMENT).
 */
export function lookup(init: LookupInit): Promise<LookupResult> {
  try {
    return new Lookup(init).run();
  } catch (err) {
    return Promise.reject(err);
  }
}

type CandidateState = 'waiting' | 'in-flight' | 'answered' | 'failed';

interface Candidate {
  /** Freshest info seen before it was queried (highest incarnation). */
  info: ContactInfo;
  readonly idBytes: Uint8Array;
  depth: number;
  state: CandidateState;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${what} must be an integer ≥ 1, got ${value}`);
  }
  return value;
}

function positive(value: number, what: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`${what} must be > 0, got ${value}`);
  return value;
}

/**
 * A table record's cached id bytes, so seeds are not decoded again. Only for seeds: bytes that
 * arrive in a peer's answer are not trusted to match the hex id.
 */
function seedIdBytes(seed: ContactInfo & { readonly idBytes?: unknown }): Uint8Array | undefined {
  const bytes = seed.idBytes;
  return bytes instanceof Uint8Array && bytes.length === ID_BYTES ? bytes : undefined;
}

class Lookup {
  readonly #key: Uint8Array;
  readonly #k: number;
  readonly #alpha: number;
  readonly #deadlineMs: number;
  readonly #queryDeadlineMs: number;
  readonly #init: LookupInit;
  /** Every candidate seen, closest to the key first. */
  readonly #shortlist: Candidate[] = [];
  readonly #byId = new Map<string, Candidate>();
  /** Cancels in-flight queries when the lookup ends early. */
  readonly #controller = new AbortController();
  readonly #queryDeadlines = new Set<DeadlineSignal>();
  #inFlight = 0;
  #queried = 0;
  #failed = 0;
  /**
   * First-round queries (see {@link LookupInit.known}) not yet answered; −1 when the lookup runs
   * in full (no `known`, or the first round taught something). The first pump sends that round.
   */
  #firstRound = -1;
  #finished = false;
  #deadline: ReturnType<Clock['setTimeout']> | undefined;
  #resolve!: (result: LookupResult) => void;
  #reject!: (error: unknown) => void;

  constructor(init: LookupInit) {
    if (!(init.key instanceof Uint8Array) || init.key.length !== ID_BYTES) {
      throw new InvalidArgumentError(`the lookup key must be a ${ID_BYTES}-byte id`);
    }
    this.#init = init;
    this.#key = init.key;
    this.#k = positiveInt(init.k ?? DEFAULT_K, 'k');
    this.#alpha = positiveInt(init.alpha ?? DEFAULT_ALPHA, 'alpha');
    this.#deadlineMs = positive(init.deadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS, 'deadlineMs');
    this.#queryDeadlineMs = Math.min(
      positive(init.queryDeadlineMs ?? DEFAULT_QUERY_DEADLINE_MS, 'queryDeadlineMs'),
      this.#deadlineMs,
    );
  }

  run(): Promise<LookupResult> {
    const { signal, clock } = this.#init;
    return new Promise<LookupResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (signal?.aborted) {
        this.#finish({ error: toAbortError(signal) });
        return;
      }
      signal?.addEventListener('abort', this.#onCallerAbort, { once: true });
      this.#deadline = clock.setTimeout(() => this.#finish({ timedOut: true }), this.#deadlineMs);
      for (const seed of this.#init.seeds) this.#learn(seed, 0, seedIdBytes(seed));
      if (this.#init.known !== undefined && this.#shortlist.length > 0) {
        this.#firstRound = Math.min(this.#alpha, this.#k, this.#shortlist.length);
      }
      this.#pump();
    });
  }

  readonly #onCallerAbort = (): void => {
    this.#finish({ error: toAbortError(this.#init.signal!) });
  };

  /** Adds or updates a candidate; ignores our own id and malformed ids (a peer's answer is input). */
  #learn(info: ContactInfo, depth: number, idBytes?: Uint8Array): void {
    if (info.id === this.#init.self) return;
    const existing = this.#byId.get(info.id);
    if (existing !== undefined) {
      if (depth < existing.depth) existing.depth = depth;
      if (existing.state === 'waiting' && info.incarnation > existing.info.incarnation) existing.info = info;
      return;
    }
    if (typeof info.id !== 'string' || !NodeId.isHex(info.id)) return;
    const candidate: Candidate = { info, idBytes: idBytes ?? sharedIdBytes(info.id), depth, state: 'waiting' };
    this.#byId.set(info.id, candidate);
    // Binary search for the insertion point; the shortlist stays sorted by distance.
    let lo = 0;
    let hi = this.#shortlist.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareDistance(this.#shortlist[mid]!.idBytes, candidate.idBytes, this.#key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#shortlist.splice(lo, 0, candidate);
  }

  /**
   * Starts queries to the closest waiting candidates among the k closest non-failed ones, up to α
   * in flight; finishes when none is waiting there and nothing is in flight. Candidates beyond
   * the k closest are never asked: they could only matter if a closer one fails, and then they
   * move into the window.
   */
  #pump(): void {
    if (this.#finished) return;
    if (this.#firstRound >= 0 && this.#queried > 0) {
      // A refresh sends nothing past its first round until that round has all answered.
      if (this.#firstRound === 0) this.#finish({ timedOut: false });
      return;
    }
    let window = 0;
    for (const c of this.#shortlist) {
      if (this.#inFlight >= this.#alpha || window >= this.#k) break;
      if (c.state === 'failed') continue;
      window++;
      if (c.state === 'waiting') this.#send(c);
    }
    if (this.#inFlight === 0) this.#finish({ timedOut: false });
  }

  #send(c: Candidate): void {
    c.state = 'in-flight';
    this.#inFlight++;
    this.#queried++;
    const deadline = withDeadline(this.#queryDeadlineMs, { clock: this.#init.clock, signal: this.#controller.signal });
    this.#queryDeadlines.add(deadline);
    let answer: Promise<readonly ContactInfo[]>;
    try {
      answer = Promise.resolve(this.#init.query(c.info, deadline.signal));
    } catch (err) {
      answer = Promise.reject(err);
    }
    raceSignal(answer, deadline.signal).then(
      (contacts) => {
        this.#settle(deadline);
        if (!this.#finished) this.#onAnswer(c, contacts);
      },
      (err: unknown) => {
        this.#settle(deadline);
        if (!this.#finished) this.#onError(c, err);
      },
    );
  }

  #settle(deadline: DeadlineSignal): void {
    deadline.clear();
    this.#queryDeadlines.delete(deadline);
  }

  #onAnswer(c: Candidate, contacts: readonly ContactInfo[]): void {
    this.#inFlight--;
    c.state = 'answered';
    if (!this.#hook(() => this.#init.onResponse?.(c.info, contacts))) return;
    // An honest node answers with at most k; more is a misbehaving peer, read only the first k.
    const n = Math.min(contacts.length, this.#k);
    for (let i = 0; i < n; i++) this.#learn(contacts[i]!, c.depth + 1);
    if (this.#firstRound > 0) this.#firstRoundAnswer(contacts, n);
    this.#pump();
  }

  /** Counts a first-round answer down, or turns the lookup into a full one if it names a node not known. */
  #firstRoundAnswer(contacts: readonly ContactInfo[], n: number): void {
    const known = this.#init.known!;
    for (let i = 0; i < n; i++) {
      const id = contacts[i]!.id;
      if (id !== this.#init.self && !known(id)) {
        this.#firstRound = -1;
        return;
      }
    }
    this.#firstRound--;
  }

  #onError(c: Candidate, err: unknown): void {
    this.#inFlight--;
    this.#failed++;
    this.#firstRound = -1;
    c.state = 'failed';
    if (!this.#hook(() => this.#init.onFailure?.(c.info, err))) return;
    this.#pump();
  }

  /** Runs a caller hook; a hook that throws ends the lookup with its error rather than hanging it. */
  #hook(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.#finish({ error: err });
      return false;
    }
  }

  #finish(outcome: { timedOut: boolean } | { error: unknown }): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#deadline !== undefined) this.#init.clock.clearTimeout(this.#deadline);
    this.#init.signal?.removeEventListener('abort', this.#onCallerAbort);
    if (this.#inFlight > 0) {
      // Before clearing the query deadlines: clearing unhooks them from this controller.
      this.#controller.abort('error' in outcome ? outcome.error : new DeadlineExceededError('lookup deadline passed'));
    }
    for (const d of this.#queryDeadlines) d.clear();
    this.#queryDeadlines.clear();
    if ('error' in outcome) {
      this.#reject(outcome.error);
      return;
    }
    const closest: ContactInfo[] = [];
    let hops = 0;
    let rounds = 0;
    for (const c of this.#shortlist) {
      if (c.state !== 'answered') continue;
      if (closest.length === 0) hops = c.depth;
      if (c.depth > rounds) rounds = c.depth;
      closest.push(c.info);
      if (closest.length === this.#k) break;
    }
    this.#resolve({ closest, hops, rounds, queried: this.#queried, failed: this.#failed, timedOut: outcome.timedOut });
  }
}
