import type { AbortOptions } from '@peerweave/core';

/**
 * One provider of blocks (a peer). The swarm never trusts it: every answer is checked against its
 * CID, and a source may throw (NOT_FOUND, UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED...),
 * stall, or send the wrong bytes. It must stop work and reject when `signal` aborts.
 */
export interface BlockSource {
  /** Stable across calls to `providers()`: per-peer windows, speeds and bans are kept by id. */
  readonly id: string;
  fetch(cid: string, options: Required<AbortOptions>): Promise<Uint8Array>;
}

/** One block of the list the reader needs, in reading order. */
export interface WantedBlock {
  readonly cid: string;
  /** Expected size, if known (informational: shown in logs, never used to reject bytes). */
  readonly bytes?: number;
}

/** A verified block, as the swarm hands it to the reader. */
export interface SwarmBlock {
  readonly cid: string;
  readonly bytes: Uint8Array;
}
