import { ERROR_CODES, PeerweaveError, raceSignal, type Clock, type ErrorCode, type TimerHandle } from '@peerweave/core';
import type { BlockPut, BlockReader, BlockStreamTransport, BlockWriter, PeerContact } from '@peerweave/protocol';

/** How long a block stream to a peer may stay unused before it is closed. */
export const DEFAULT_STREAM_IDLE_MS = 30_000;

export interface BlockStreamsInit {
  transport: BlockStreamTransport;
  clock: Clock;
  /** Deadline of one block on a stream (a want answered, a put acknowledged). */
  blockDeadlineMs: number;
  /** How long an unused stream is kept open (default DEFAULT_STREAM_IDLE_MS). */
  idleMs?: number;
}

interface Cached<T> {
  readonly stream: T;
  lastUsedMs: number;
}

/**
 * One long-lived read stream and one write stream per peer in use (DESIGN: "block bytes travel on
 * long-lived streams, one per peer pair and direction"), opened on first use, reopened after a
 * failure closed them, and closed after `idleMs` without use or on {@link close}. Every block
 * transfer of the content node (swarmed reads, replication writes, repair, hand-off, anti-entropy
 * pushes) goes through here.
 */
export class BlockStreams {
  readonly #init: BlockStreamsInit;
  readonly #idleMs: number;
  readonly #readers = new Map<string, Cached<BlockReader>>();
  readonly #writers = new Map<string, Cached<BlockWriter>>();
  #sweep: TimerHandle | undefined;
  #closed = false;

  constructor(init: BlockStreamsInit) {
    this.#init = init;
    this.#idleMs = init.idleMs ?? DEFAULT_STREAM_IDLE_MS;
  }

  /**
   * The block's bytes from `peer` (unverified), or undefined when it does not hold it. The caller's
   * signal rejects this fetch only: answers on a read stream come in order, so cancelling one want
   * on the stream would close it under every other want in flight (the swarm's end game cancels
   * duplicates all the time); the late answer is simply dropped.
   */
  fetch(peer: PeerContact, cid: string, signal: AbortSignal | undefined): Promise<Uint8Array | undefined> {
    const got = this.#reader(peer).get(cid, { deadlineMs: this.#init.blockDeadlineMs });
    if (signal) got.catch(() => undefined);
    return raceSignal(got, signal);
  }

  /**
   * Sends one block to `peer` on its write stream; resolves with true once the peer made it
   * durable, false when it refused it (its objects are deleted there); rejects with the peer's
   * error for the block (CORRUPT_BLOCK, ...) or the stream's.
   */
  async store(peer: PeerContact, block: BlockPut, signal: AbortSignal | undefined): Promise<boolean> {
    const ack = await this.#writer(peer).put(block, { deadlineMs: this.#init.blockDeadlineMs, ...(signal ? { signal } : {}) });
    if (ack.error) {
      const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(ack.error) ? (ack.error as ErrorCode) : 'INTERNAL';
      throw new PeerweaveError(code, ack.message || `peer ${peer.id.slice(0, 12)} refused ${block.cid}`);
    }
    return ack.stored;
  }

  /** Number of open streams (readers + writers), for tests and metrics. */
  get open(): number {
    return this.#readers.size + this.#writers.size;
  }

  close(): void {
    this.#closed = true;
    if (this.#sweep) this.#init.clock.clearTimeout(this.#sweep);
    this.#sweep = undefined;
    for (const { stream } of this.#readers.values()) stream.close();
    for (const { stream } of this.#writers.values()) stream.close(true);
    this.#readers.clear();
    this.#writers.clear();
  }

  #reader(peer: PeerContact): BlockReader {
    return this.#get(this.#readers, peer, () => this.#init.transport.openBlockReader(peer.address));
  }

  #writer(peer: PeerContact): BlockWriter {
    return this.#get(this.#writers, peer, () => this.#init.transport.openBlockWriter(peer.address));
  }

  #get<T extends { readonly closed: boolean }>(map: Map<string, Cached<T>>, peer: PeerContact, open: () => T): T {
    const key = `${peer.id}@${peer.address}`;
    let entry = map.get(key);
    if (entry === undefined || entry.stream.closed) {
      entry = { stream: open(), lastUsedMs: this.#init.clock.now() };
      map.set(key, entry);
      this.#armSweep();
    }
    entry.lastUsedMs = this.#init.clock.now();
    return entry.stream;
  }

  #armSweep(): void {
    if (this.#sweep !== undefined || this.#closed) return;
    this.#sweep = this.#init.clock.setTimeout(() => {
      this.#sweep = undefined;
      const idleSince = this.#init.clock.now() - this.#idleMs;
      for (const map of [this.#readers, this.#writers] as Map<string, Cached<BlockReader | BlockWriter>>[]) {
        for (const [key, entry] of map) {
          if (entry.stream.closed || entry.lastUsedMs <= idleSince) {
            entry.stream.close();
            map.delete(key);
          }
        }
      }
      if (this.open > 0) this.#armSweep();
    }, this.#idleMs);
  }
}

