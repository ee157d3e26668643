import type { BlockSource } from './block-source.ts';
import type { ProviderView } from './choose-provider.ts';
import { coolOffMs, isBanned, NO_OFFENCES, recordOffence, type BanState } from './penalty.ts';
import { ewma, nextWindow, type WindowEvent } from './window.ts';

/** Weight of the newest sample in the latency and throughput averages: ~the last 4–8 blocks count. */
export const ESTIMATE_ALPHA = 0.25;

export interface PeerRecordInit {
  initialWindow: number;
  maxWindow: number;
  banAfter: number;
  banMs: number;
  /** First cool-off after a failure; doubles with each consecutive one. */
  coolOffBaseMs: number;
}

/** How a request to the peer ended badly. `missing` (NOT_FOUND) says nothing about its health. */
export type FailureKind = 'error' | 'timeout' | 'missing';

export interface PeerStats {
  blocks: number;
  bytes: number;
  failures: number;
  corrupt: number;
  banned: boolean;
  window: number;
}

/**
 * What one download knows about one peer: its window, measured speed, and penalties. All decisions
 * are the pure rules of window.ts and penalty.ts; this only keeps the state between them.
 */
export class PeerRecord {
  readonly id: string;
  /** The latest object `providers()` returned for this id. */
  source: BlockSource;
  window: number;
  inFlight = 0;
  issued = 0;
  blocks = 0;
  bytes = 0;
  failures = 0;
  corrupt = 0;
  averageLatencyMs: number | undefined;
  /** EWMA of bytes/ms per delivered block. */
  throughput: number | undefined;
  consecutiveFailures = 0;
  coolingUntilMs = 0;
  #ban: BanState = NO_OFFENCES;
  readonly #init: PeerRecordInit;

  constructor(source: BlockSource, init: PeerRecordInit) {
    this.id = source.id;
    this.source = source;
    this.#init = init;
    this.window = Math.min(init.initialWindow, init.maxWindow);
  }

  get offences(): number {
    return this.#ban.offences;
  }

  get bannedUntilMs(): number | undefined {
    return this.#ban.bannedUntilMs;
  }

  isBanned(nowMs: number): boolean {
    return isBanned(this.#ban, nowMs);
  }

  isCooling(nowMs: number): boolean {
    return nowMs < this.coolingUntilMs;
  }

  /** A verified block came back `latencyMs` after it was asked for. */
  delivered(latencyMs: number, bytes: number): void {
    const latency = Math.max(1, latencyMs);
    this.#updateWindow({ kind: 'delivered', latencyMs: latency, averageLatencyMs: this.averageLatencyMs });
    this.averageLatencyMs = ewma(this.averageLatencyMs, latency, ESTIMATE_ALPHA);
    this.throughput = ewma(this.throughput, bytes / latency, ESTIMATE_ALPHA);
    this.blocks++;
    this.bytes += bytes;
    this.consecutiveFailures = 0;
    this.coolingUntilMs = 0;
  }

  /**
   * A request failed or stalled. An error or a timeout halves the window and cools the peer off
   * (it may be overloaded or gone); NOT_FOUND only means the provider list was wrong for that block.
   */
  failed(kind: FailureKind, nowMs: number): void {
    this.failures++;
    if (kind === 'missing') return;
    this.#updateWindow({ kind });
    this.consecutiveFailures++;
    this.coolingUntilMs = nowMs + coolOffMs(this.consecutiveFailures, this.#init.coolOffBaseMs);
  }

  /** The peer sent bytes that do not match their CID. True when this offence got it banned. */
  sentCorrupt(nowMs: number): boolean {
    this.corrupt++;
    this.#updateWindow({ kind: 'corrupt' });
    const next = recordOffence(this.#ban, nowMs, this.#init);
    this.#ban = { offences: next.offences, bannedUntilMs: next.bannedUntilMs };
    return next.banned;
  }

  view(): ProviderView {
    return { id: this.id, inFlight: this.inFlight, window: this.window, throughput: this.throughput, issued: this.issued };
  }

  stats(nowMs: number): PeerStats {
    return {
      blocks: this.blocks,
      bytes: this.bytes,
      failures: this.failures,
      corrupt: this.corrupt,
      banned: this.isBanned(nowMs),
      window: this.window,
    };
  }

  #updateWindow(event: WindowEvent): void {
    this.window = nextWindow(this.window, event, this.#init.maxWindow);
  }
}
