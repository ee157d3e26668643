import {
  AbortError,
  errorCode,
  InternalError,
  InvalidArgumentError,
  noopMetrics,
  NotFoundError,
  PeerweaveError,
  silentLogger,
  throwIfAborted,
  toAbortError,
  withDeadline,
  type Clock,
  type Counter,
  type DeadlineSignal,
  type Logger,
  type Metrics,
  type TimerHandle,
} from '@peerweave/core';
import type { BlockSource, SwarmBlock, WantedBlock } from './block-source.ts';
import { chooseProvider } from './choose-provider.ts';
import { isEndGame, nextBlocksToSchedule } from './next-blocks.ts';
import { retryBackoffMs } from './penalty.ts';
import { PeerRecord, type PeerStats } from './peer-record.ts';

/** Requests in flight per peer at the start. Higher fills a fast peer's pipe sooner; lower risks less on a peer that turns out slow. */
export const DEFAULT_INITIAL_WINDOW = 2;
/** Most requests in flight per peer. Must cover bandwidth × latency of the best peer (16 × 256 KiB = 4 MiB in flight); more only queues at the peer. */
export const DEFAULT_MAX_WINDOW = 16;
/** Blocks fetched but not yet consumed (the one the reader holds included): memory ≈ this × block size (32 × 256 KiB = 8 MiB). Fewer starves fast peers behind a slow reader. */
export const DEFAULT_MAX_BUFFERED_BLOCKS = 32;
/** A request slower than this is a stall and is also asked of another peer. Lower recovers from a dead peer sooner; too low doubles traffic on a merely slow link. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** When this few blocks remain, each is also asked of a second peer. Higher ends a download sooner when the last peers are slow, at the cost of duplicate traffic. */
export const DEFAULT_END_GAME_THRESHOLD = 4;
/** Corrupt blocks from one peer before it is banned. One is enough on a hash mismatch; two tolerates a flipped bit on a bad link. */
export const DEFAULT_BAN_AFTER = 2;
/** How long a banned peer gets no requests. Longer protects the download; shorter forgives a peer that fixed its disk. */
export const DEFAULT_BAN_MS = 60_000;
/** Rounds of asking every provider again once all have failed a block. More rides out a short outage; fewer reports NOT_FOUND sooner. */
export const DEFAULT_MAX_RETRIES = 3;
/** Back-off before the first such round (doubling after) and a failing peer's first cool-off (doubling with each failure in a row, up to 30 s). */
export const DEFAULT_RETRY_BACKOFF_MS = 250;
/**
 * Blocks of a streamed list known ahead of the buffer bound (the list is pulled no further). Naming
 * blocks may take a round trip (a UnixFS inner node names up to 174 leaves); 256 hides one behind
 * 64 MiB of 256 KiB blocks while holding ~256 small entries. Fewer risks a stall at each inner node.
 */
export const DEFAULT_LIST_LOOKAHEAD = 256;
/** Released entries dropped from the front of the list at a time (amortises the copy). */
const TRIM_EVERY = 1024;

export interface SwarmInit {
  /**
   * The blocks to fetch, in the order the reader needs them: a list, or a stream of them (a file's
   * leaves named as its inner nodes arrive). A stream is pulled only `listLookahead` blocks beyond
   * the buffer bound, so what the swarm holds does not grow with the file; a stream that throws
   * ends the download with its error.
   */
  blocks: readonly WantedBlock[] | AsyncIterable<WantedBlock>;
  /** Who can serve this block now. Called whenever the block is scheduled, so the set may change. */
  providers(cid: string): readonly BlockSource[];
  /**
   * True when `bytes` are the block `cid` names (the hash check). May answer later (a promise: the
   * hash computed off the event loop); the request stays in flight, in its peer's window, until it
   * does. A rejection is a failure of that request (not a corrupt block: the peer is not banned).
   */
  verify(cid: string, bytes: Uint8Array): boolean | PromiseLike<boolean>;
  clock: Clock;
  signal?: AbortSignal;
  /** Whole-download deadline, from the first read of `blocks()`. */
  deadlineMs?: number;
  metrics?: Metrics;
  logger?: Logger;
  initialWindow?: number;
  maxWindow?: number;
  maxBufferedBlocks?: number;
  requestTimeoutMs?: number;
  endGameThreshold?: number;
  banAfter?: number;
  banMs?: number;
  maxRetries?: number;
  retryBackoffMs?: number;
  listLookahead?: number;
}

export interface SwarmStats {
  perPeer: Record<string, PeerStats>;
}

interface BlockState {
  readonly cid: string;
  readonly expectedBytes: number | undefined;
  done: boolean;
  /** Verified bytes waiting for the reader; dropped as soon as they are handed over. */
  bytes: Uint8Array | undefined;
  readonly requests: Set<BlockRequest>;
  /** Requests in flight, and those of them not yet past the request timeout. */
  inFlight: number;
  active: number;
  /** Peers that failed this block (error, timeout, bad bytes): asked again only in a retry round. */
  readonly failedBy: Set<string>;
  rounds: number;
  notBeforeMs: number;
  lastError: unknown;
}

interface BlockRequest {
  readonly block: BlockState;
  readonly peer: PeerRecord;
  readonly controller: AbortController;
  readonly startedMs: number;
  timer: TimerHandle | undefined;
  timedOut: boolean;
}

type Outcome = 'ok' | 'corrupt' | 'failed' | 'timeout';

/**
 * Downloads an ordered list of blocks from many providers at once, BitTorrent/Bitswap style: the
 * earliest-needed block goes to the fastest peer with room in its window, windows follow each
 * peer's speed (AIMD), a stalled or failed request moves to another provider, peers that send bad
 * bytes are banned, and the last few blocks are raced between two peers. Independent of the
 * network: providers are {@link BlockSource}s, time is the injected clock.
 */
export class Swarm {
  readonly #init: SwarmInit;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #m: { blocks: Counter<'outcome'>; bytes: Counter; banned: Counter };
  readonly #initialWindow: number;
  readonly #maxWindow: number;
  readonly #maxBuffered: number;
  readonly #requestTimeoutMs: number;
  readonly #endGameThreshold: number;
  readonly #banAfter: number;
  readonly #banMs: number;
  readonly #maxRetries: number;
  readonly #retryBackoffMs: number;
  readonly #listLookahead: number;

  /** The blocks from index `#base` on (those the reader released before it are dropped). */
  #blocks: BlockState[] = [];
  #base = 0;
  /** The stream the list is pulled from; undefined for a list given whole. */
  readonly #list: AsyncIterator<WantedBlock> | undefined;
  /** No more blocks to come. */
  #listDone = false;
  #pulling = false;
  readonly #peers = new Map<string, PeerRecord>();
  readonly #live = new Set<BlockRequest>();
  /** Blocks named and not yet verified. */
  #remaining = 0;
  /** Requests issued so far (all blocks, all peers). */
  #issued = 0;
  /** Index of the first block the reader has not released. */
  #released = 0;
  #started = false;
  #finished = false;
  #failure: PeerweaveError | undefined;
  #wakeReader: (() => void) | undefined;
  #wakeTimer: TimerHandle | undefined;
  #wakeTimerAt = Number.POSITIVE_INFINITY;
  #deadline: DeadlineSignal | undefined;
  #signal: AbortSignal | undefined;

  constructor(init: SwarmInit) {
    this.#init = init;
    this.#clock = init.clock;
    this.#log = (init.logger ?? silentLogger).child({ component: 'transfer' });
    const metrics = init.metrics ?? noopMetrics;
    this.#m = {
      blocks: metrics.counter({
        name: 'peerweave_transfer_blocks_total',
        help: 'Block requests of swarming downloads, by outcome (ok, corrupt, failed, timeout).',
        labelNames: ['outcome'],
      }),
      bytes: metrics.counter({ name: 'peerweave_transfer_bytes_total', help: 'Verified bytes received by swarming downloads.' }),
      banned: metrics.counter({ name: 'peerweave_transfer_peers_banned_total', help: 'Peers banned for sending blocks that do not match their CID.' }),
    };
    this.#initialWindow = integer(init.initialWindow, DEFAULT_INITIAL_WINDOW, 'initialWindow', 1);
    this.#maxWindow = integer(init.maxWindow, DEFAULT_MAX_WINDOW, 'maxWindow', 1);
    if (this.#initialWindow > this.#maxWindow) {
      throw new InvalidArgumentError(`initialWindow (${this.#initialWindow}) must not exceed maxWindow (${this.#maxWindow})`);
    }
    this.#maxBuffered = integer(init.maxBufferedBlocks, DEFAULT_MAX_BUFFERED_BLOCKS, 'maxBufferedBlocks', 1);
    this.#requestTimeoutMs = integer(init.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs', 1);
    this.#endGameThreshold = integer(init.endGameThreshold, DEFAULT_END_GAME_THRESHOLD, 'endGameThreshold', 0);
    this.#banAfter = integer(init.banAfter, DEFAULT_BAN_AFTER, 'banAfter', 1);
    this.#banMs = integer(init.banMs, DEFAULT_BAN_MS, 'banMs', 0);
    this.#maxRetries = integer(init.maxRetries, DEFAULT_MAX_RETRIES, 'maxRetries', 0);
    this.#retryBackoffMs = integer(init.retryBackoffMs, DEFAULT_RETRY_BACKOFF_MS, 'retryBackoffMs', 0);
    this.#listLookahead = integer(init.listLookahead, DEFAULT_LIST_LOOKAHEAD, 'listLookahead', 0);
    if (init.deadlineMs !== undefined) integer(init.deadlineMs, 0, 'deadlineMs', 1);
    if (Array.isArray(init.blocks)) {
      for (const b of init.blocks as readonly WantedBlock[]) this.#append(b);
      this.#listDone = true;
      this.#list = undefined;
    } else {
      this.#list = (init.blocks as AsyncIterable<WantedBlock>)[Symbol.asyncIterator]();
    }
  }

  /** Blocks named so far (released ones included). */
  get #known(): number {
    return this.#base + this.#blocks.length;
  }

  #append(b: WantedBlock): void {
    this.#blocks.push({
      cid: b.cid,
      expectedBytes: b.bytes,
      done: false,
      bytes: undefined,
      requests: new Set(),
      inFlight: 0,
      active: 0,
      failedBy: new Set(),
      rounds: 0,
      notBeforeMs: 0,
      lastError: undefined,
    });
    this.#remaining++;
  }

  /**
   * The blocks, verified, in the order given. Fetching starts with the first read and runs ahead
   * of the reader by at most `maxBufferedBlocks`. Rejects with NOT_FOUND (naming the CID) when no
   * provider can deliver a block, ABORTED or DEADLINE_EXCEEDED when the signal or deadline fires.
   * Leaving the loop early cancels every request in flight. One download per swarm.
   */
  blocks(): AsyncIterable<SwarmBlock> {
    if (this.#started) throw new PeerweaveError('FAILED_PRECONDITION', 'a swarm downloads once: blocks() was already called');
    this.#started = true;
    return this.#run();
  }

  stats(): SwarmStats {
    const now = this.#clock.now();
    const perPeer: Record<string, PeerStats> = {};
    for (const [id, peer] of this.#peers) perPeer[id] = peer.stats(now);
    return { perPeer };
  }

  async *#run(): AsyncGenerator<SwarmBlock> {
    try {
      this.#begin();
      for (let i = 0; ; i++) {
        let block: BlockState | undefined;
        for (;;) {
          if (this.#failure !== undefined) throw this.#failure;
          block = i < this.#known ? this.#blocks[i - this.#base] : undefined;
          if (block?.done) break;
          if (block === undefined && this.#listDone) return;
          await new Promise<void>((resolve) => {
            this.#wakeReader = resolve;
          });
        }
        const bytes = block.bytes!;
        block.bytes = undefined;
        yield { cid: block.cid, bytes };
        // The reader asked for the next one: the block it held is released, fetch one more.
        this.#released = i + 1;
        if (this.#released - this.#base >= TRIM_EVERY) {
          this.#blocks = this.#blocks.slice(this.#released - this.#base);
          this.#base = this.#released;
        }
        this.#pump();
      }
    } finally {
      this.#finish(new AbortError('download ended'));
    }
  }

  #begin(): void {
    const { signal, deadlineMs } = this.#init;
    if (deadlineMs !== undefined) {
      this.#deadline = withDeadline(deadlineMs, { clock: this.#clock, ...(signal ? { signal } : {}) });
      this.#signal = this.#deadline.signal;
    } else {
      this.#signal = signal;
    }
    throwIfAborted(this.#signal);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#log.debug({ blocks: this.#known, streamed: this.#list !== undefined }, 'swarm download started');
    this.#pump();
  }

  readonly #onAbort = (): void => {
    if (this.#signal) this.#fail(toAbortError(this.#signal));
  };

  /** Issues every request the windows, the buffer bound and the penalties allow now. */
  #pump(): void {
    try {
      this.#schedulePass();
      this.#pullList();
    } catch (err) {
      // providers() or a logger threw: end the download rather than leave it hanging.
      this.#fail(err instanceof PeerweaveError ? err : new InternalError('scheduling a block request failed', { cause: err }));
    }
  }

  #schedulePass(): void {
    const now = this.#clock.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    // Another pass while the last one issued anything: in the end game a block that just got its
    // first request may get its second from a peer that still has room.
    for (let issued = -1; issued !== this.#issued && !this.#finished; ) {
      issued = this.#issued;
      // Indices into #blocks, which starts at #base. No end game before the list is known whole.
      const wanted = nextBlocksToSchedule(this.#blocks, {
        released: this.#released - this.#base,
        maxBufferedBlocks: this.#maxBuffered,
        endGame: this.#listDone && isEndGame(this.#remaining, this.#endGameThreshold),
        nowMs: now,
      });
      for (const index of wanted) {
        if (this.#finished) return;
        wakeAt = Math.min(wakeAt, this.#schedule(this.#blocks[index]!, now));
      }
    }
    if (wakeAt < Number.POSITIVE_INFINITY && !this.#finished) this.#wakeAt(wakeAt);
  }

  /** Pulls the streamed list until it is `listLookahead` blocks ahead of the buffer bound (one pull at a time). */
  #pullList(): void {
    if (this.#list === undefined || this.#listDone || this.#pulling || this.#finished) return;
    if (this.#known >= this.#released + this.#maxBuffered + this.#listLookahead) return;
    this.#pulling = true;
    void this.#pullMore(this.#list);
  }

  async #pullMore(list: AsyncIterator<WantedBlock>): Promise<void> {
    try {
      while (!this.#finished && this.#known < this.#released + this.#maxBuffered + this.#listLookahead) {
        const next = await list.next();
        if (this.#finished) return;
        if (next.done === true) {
          this.#listDone = true;
          this.#notifyReader();
          this.#pump();
          return;
        }
        this.#append(next.value);
        // A block the buffer bound lets in is scheduled at once; the rest wait for the reader.
        if (this.#known <= this.#released + this.#maxBuffered) this.#schedulePass();
      }
    } catch (err) {
      this.#fail(err instanceof PeerweaveError ? err : new InternalError('naming the blocks to fetch failed', { cause: err }));
    } finally {
      this.#pulling = false;
    }
    this.#pump();
  }

  /**
   * Asks one more provider for `block` if one is free. Returns the clock time at which trying again
   * could succeed when only time stands in the way (a back-off or cool-off), else +∞.
   */
  #schedule(block: BlockState, now: number): number {
    const never = Number.POSITIVE_INFINITY;
    const sources = this.#init.providers(block.cid);
    const usable: PeerRecord[] = [];
    for (const source of sources) {
      const peer = this.#peer(source);
      if (!peer.isBanned(now) && !usable.includes(peer)) usable.push(peer);
    }
    if (usable.length === 0) {
      if (block.inFlight > 0) return never;
      const why = sources.length === 0 ? 'no provider has' : 'every provider is banned for';
      this.#fail(new NotFoundError(`${why} block ${block.cid}`, { details: { cid: block.cid } }));
      return never;
    }
    const untried = usable.filter((p) => !block.failedBy.has(p.id) && !this.#asked(block, p));
    if (untried.length === 0) {
      // Everyone has failed it or is already on it. A stalled request may still answer: wait for it.
      if (block.inFlight > 0) return never;
      if (block.rounds >= this.#maxRetries) {
        this.#fail(
          new NotFoundError(`no provider could deliver block ${block.cid}`, {
            cause: block.lastError,
            details: { cid: block.cid, providers: usable.length, rounds: block.rounds },
          }),
        );
        return never;
      }
      block.rounds++;
      block.failedBy.clear();
      block.notBeforeMs = now + retryBackoffMs(block.rounds, this.#retryBackoffMs);
      this.#log.debug({ cid: block.cid, round: block.rounds, atMs: block.notBeforeMs }, 'every provider failed a block; retrying');
      return block.notBeforeMs;
    }
    const ready = untried.filter((p) => !p.isCooling(now));
    if (ready.length === 0) return Math.min(...untried.map((p) => p.coolingUntilMs));
    const id = chooseProvider(ready.map((p) => p.view()));
    if (id !== undefined) this.#issue(block, this.#peers.get(id)!, now);
    return never;
  }

  #asked(block: BlockState, peer: PeerRecord): boolean {
    for (const r of block.requests) if (r.peer === peer) return true;
    return false;
  }

  #peer(source: BlockSource): PeerRecord {
    let peer = this.#peers.get(source.id);
    if (peer === undefined) {
      peer = new PeerRecord(source, {
        initialWindow: this.#initialWindow,
        maxWindow: this.#maxWindow,
        banAfter: this.#banAfter,
        banMs: this.#banMs,
        coolOffBaseMs: this.#retryBackoffMs,
      });
      this.#peers.set(source.id, peer);
    } else {
      peer.source = source;
    }
    return peer;
  }

  #issue(block: BlockState, peer: PeerRecord, now: number): void {
    const request: BlockRequest = { block, peer, controller: new AbortController(), startedMs: now, timer: undefined, timedOut: false };
    block.requests.add(request);
    block.inFlight++;
    block.active++;
    peer.inFlight++;
    peer.issued++;
    this.#issued++;
    this.#live.add(request);
    request.timer = this.#clock.setTimeout(() => this.#onTimeout(request), this.#requestTimeoutMs);
    let answer: Promise<Uint8Array>;
    try {
      answer = Promise.resolve(peer.source.fetch(block.cid, { signal: request.controller.signal }));
    } catch (err) {
      answer = Promise.reject(err as Error);
    }
    answer.then(
      (bytes) => this.#check(request, bytes),
      (err: unknown) => this.#onError(request, err),
    );
  }

  /** Checks an answer against its CID, at once or when an asynchronous verify says. */
  #check(request: BlockRequest, bytes: Uint8Array): void {
    // Cancelled meanwhile (another peer's copy won, the download ended): not worth a hash.
    if (!this.#live.has(request)) return;
    let good: boolean | PromiseLike<boolean>;
    try {
      good = bytes instanceof Uint8Array && this.#init.verify(request.block.cid, bytes);
    } catch {
      good = false;
    }
    if (typeof good === 'boolean') {
      this.#onAnswer(request, bytes, good);
      return;
    }
    good.then(
      (ok) => this.#onAnswer(request, bytes, ok === true),
      (err: unknown) => this.#onError(request, err),
    );
  }

  /** Forgets a request; false when it was already settled or given up. */
  #release(request: BlockRequest): boolean {
    if (!this.#live.delete(request)) return false;
    if (request.timer !== undefined) this.#clock.clearTimeout(request.timer);
    const { block, peer } = request;
    block.requests.delete(request);
    block.inFlight--;
    if (!request.timedOut) block.active--;
    peer.inFlight--;
    return true;
  }

  #cancel(request: BlockRequest, reason: Error): void {
    if (this.#release(request)) request.controller.abort(reason);
  }

  #onAnswer(request: BlockRequest, bytes: Uint8Array, good: boolean): void {
    if (!this.#release(request)) return;
    const { block, peer } = request;
    const now = this.#clock.now();
    if (!good) {
      this.#onCorrupt(request, bytes, now);
    } else if (!block.done) {
      peer.delivered(now - request.startedMs, bytes.length);
      this.#count('ok');
      this.#m.bytes.inc({}, bytes.length);
      block.done = true;
      block.bytes = bytes;
      this.#remaining--;
      // First verified answer wins; the others are told to stop.
      for (const loser of [...block.requests]) this.#cancel(loser, new AbortError(`block ${block.cid} arrived from another peer`));
      this.#notifyReader();
    }
    this.#pump();
  }

  #onCorrupt(request: BlockRequest, bytes: Uint8Array | undefined, now: number): void {
    const { block, peer } = request;
    this.#count('corrupt');
    block.failedBy.add(peer.id);
    block.lastError = new PeerweaveError('CORRUPT_BLOCK', `peer ${peer.id} sent bytes that do not match ${block.cid}`);
    const banned = peer.sentCorrupt(now);
    this.#log.debug({ peer: peer.id, cid: block.cid, bytes: bytes?.length, expected: block.expectedBytes, offences: peer.offences }, 'peer sent a corrupt block');
    if (!banned) return;
    this.#m.banned.inc();
    this.#log.warn({ peer: peer.id, corrupt: peer.corrupt, untilMs: peer.bannedUntilMs }, 'peer banned for sending corrupt blocks');
    // Whatever else it is sending is suspect too: ask someone else.
    for (const r of [...this.#live]) if (r.peer === peer) this.#cancel(r, new AbortError(`peer ${peer.id} is banned`));
  }

  #onError(request: BlockRequest, err: unknown): void {
    if (!this.#release(request)) return;
    const { block, peer } = request;
    const code = errorCode(err);
    this.#count('failed');
    block.failedBy.add(peer.id);
    block.lastError = err;
    peer.failed(code === 'NOT_FOUND' ? 'missing' : 'error', this.#clock.now());
    this.#log.debug({ peer: peer.id, cid: block.cid, code, err: (err as Error)?.message }, 'block request failed');
    this.#pump();
  }

  /** The request is a stall: it stays in flight (its answer is still welcome) while another peer is asked. */
  #onTimeout(request: BlockRequest): void {
    if (!this.#live.has(request) || request.timedOut) return;
    const { block, peer } = request;
    request.timer = undefined;
    request.timedOut = true;
    block.active--;
    block.failedBy.add(peer.id);
    this.#count('timeout');
    peer.failed('timeout', this.#clock.now());
    this.#log.debug({ peer: peer.id, cid: block.cid, afterMs: this.#requestTimeoutMs }, 'block request stalled');
    this.#pump();
  }

  #count(outcome: Outcome): void {
    this.#m.blocks.inc({ outcome });
  }

  #wakeAt(atMs: number): void {
    if (this.#wakeTimerAt <= atMs) return;
    if (this.#wakeTimer !== undefined) this.#clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimerAt = atMs;
    this.#wakeTimer = this.#clock.setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.#wakeTimerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, atMs - this.#clock.now()),
    );
  }

  #notifyReader(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = undefined;
    wake?.();
  }

  #fail(err: PeerweaveError): void {
    if (this.#finished) return;
    this.#failure = err;
    this.#log.debug({ code: err.code, err: err.message }, 'swarm download failed');
    this.#finish(err);
    this.#notifyReader();
  }

  /** Stops everything: requests in flight are aborted, timers cleared, buffered bytes dropped. */
  #finish(reason: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const request of [...this.#live]) this.#cancel(request, reason);
    if (this.#wakeTimer !== undefined) this.#clock.clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#deadline?.clear();
    for (const block of this.#blocks) block.bytes = undefined;
    // A stream that is still open is told the download is over (its generator's finally runs).
    if (this.#list !== undefined && !this.#listDone) void Promise.resolve(this.#list.return?.()).catch(() => undefined);
  }
}

function integer(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidArgumentError(`SwarmInit.${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}
