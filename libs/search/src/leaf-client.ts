import { NodeId, silentLogger, type Clock, type Logger, type Random, type Startable } from '@peerweave/core';
import { MAX_INDEX_ENTRIES_PER_MESSAGE, type IndexEntry, type SearchClient, type PublishRequest, type SearchOrigin } from '@peerweave/protocol';
import { idFromHex, sortByDistance } from '@peerweave/routing';
import { Periodic } from './periodic.ts';
import { isUnreachable } from './search-options.ts';

/** Why a leaf lets go of a supernode. */
export type DetachReason = 'refused' | 'failed' | 'dead';

/** Candidates closest to `selfId` first by XOR distance (routing's metric); ids that are not 64 hex are left out. */
export function attachOrder(candidates: readonly SearchOrigin[], selfId: string): SearchOrigin[] {
  return sortByDistance(
    candidates.filter((c) => NodeId.isHex(c.id)),
    idFromHex(selfId),
    (c) => idFromHex(c.id),
  );
}

/**
 * Of a probed batch (closest first), the supernodes to try, least loaded first; equal loads keep
 * the closer one first (the sort is stable). Those that did not answer or are no supernode go.
 */
export function byLoad<T>(probed: readonly { candidate: T; load: { supernode: boolean; leaves: number } | undefined }[]): T[] {
  return probed
    .filter((p) => p.load !== undefined && p.load.supernode)
    .sort((a, b) => a.load!.leaves - b.load!.leaves)
    .map((p) => p.candidate);
}

/**
 * The Publish messages of one change: `upserts` and `removed` in messages of at most `step`
 * entries each, at least one message (an empty one is a heartbeat); only the first message of a
 * full publish replaces, the rest add to it.
 */
export function publishMessages(leaf: string, full: boolean, upserts: readonly IndexEntry[], removed: readonly string[], step = MAX_INDEX_ENTRIES_PER_MESSAGE): PublishRequest[] {
  const chunks = Math.max(1, Math.ceil(upserts.length / step), Math.ceil(removed.length / step));
  const out: PublishRequest[] = [];
  for (let i = 0; i < chunks; i++) {
    out.push({ leaf, full: full && i === 0, upserts: upserts.slice(i * step, (i + 1) * step), removed: removed.slice(i * step, (i + 1) * step) });
  }
  return out;
}

interface Attachment {
  readonly origin: SearchOrigin;
  /** Publishes to this supernode run one after another. */
  queue: Promise<void>;
}

export interface LeafClientInit {
  self: SearchOrigin;
  /** False for a supernode: it does not attach. */
  active: boolean;
  transport: SearchClient;
  clock: Clock;
  random: Random;
  logger?: Logger;
  /** The supernodes known, and what to do with one that failed. */
  directory: {
    known(): SearchOrigin[];
    discover(): Promise<void>;
    load(c: SearchOrigin): Promise<{ supernode: boolean; leaves: number } | undefined>;
    isShunned(id: string): boolean;
    shun(id: string): void;
    forget(id: string): void;
    giveUp(id: string): void;
    prune(): void;
  };
  /** The node's whole index, for a full publish. */
  localEntries(): IndexEntry[];
  attachCount: number;
  probeCount: number;
  heartbeatMs: number;
  callDeadlineMs: number;
}

/**
 * The leaf side: attaches to the `attachCount` least loaded of the closest supernodes, publishes
 * its whole index there and every change after it (queued per supernode), heartbeats them each
 * round, and re-attaches elsewhere when one refuses, fails or dies.
 */
export class LeafClient implements Startable {
  readonly #init: LeafClientInit;
  readonly #log: Logger;
  /** Supernodes this node is attached to (published to). */
  readonly #attached = new Map<string, Attachment>();
  readonly #timer: Periodic;

  constructor(init: LeafClientInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.#timer = new Periodic({ clock: init.clock, random: init.random, logger: init.logger, periodMs: init.heartbeatMs, round: () => this.maintain() });
  }

  async start(): Promise<void> {
    if (this.#init.active) await this.#timer.start();
  }

  async stop(): Promise<void> {
    await this.#timer.stop();
  }

  /** The supernodes this node is attached to. */
  attached(): SearchOrigin[] {
    return [...this.#attached.values()].map((a) => a.origin);
  }

  get attachedCount(): number {
    return this.#attached.size;
  }

  /** Sends a change of the node's records to every attached supernode (incremental Publish). */
  indexChanged(upserts: readonly IndexEntry[], removed: readonly string[]): void {
    if (upserts.length === 0 && removed.length === 0) return;
    for (const [id, attachment] of this.#attached) this.#enqueue(id, attachment, upserts, removed, false);
  }

  /** Lets go of supernode `id`; unless it only refused, it is given up for a while. Next round comes sooner. */
  detach(id: string, reason: DetachReason): void {
    if (!this.#attached.delete(id)) return;
    this.#log.debug({ supernode: id.slice(0, 12), reason }, 'detached from supernode');
    if (reason !== 'refused') this.#init.directory.giveUp(id);
    // With jitter, so the leaves of a dead supernode do not all move at once.
    this.#timer.kick();
  }

  /** One round: heartbeat every attached supernode, attach while fewer than `attachCount`. */
  async maintain(): Promise<void> {
    this.#init.directory.prune();
    for (const [id, attachment] of this.#attached) this.#enqueue(id, attachment, [], [], false);
    if (this.#attached.size < this.#init.attachCount) await this.#attachMore();
  }

  #wantsMore(): boolean {
    return this.#attached.size < this.#init.attachCount && this.#timer.running;
  }

  async #attachMore(): Promise<void> {
    const { directory, self } = this.#init;
    const eligible = (): SearchOrigin[] => directory.known().filter((c) => c.id !== self.id && !this.#attached.has(c.id) && !directory.isShunned(c.id));
    let candidates = eligible();
    if (candidates.length === 0) {
      await directory.discover();
      candidates = eligible();
    }
    candidates = attachOrder(candidates, self.id);
    const step = Math.max(1, this.#init.probeCount);
    for (let i = 0; i < candidates.length && this.#wantsMore(); i += step) {
      const batch = candidates.slice(i, i + step);
      const probed = await Promise.all(batch.map(async (candidate) => ({ candidate, load: await directory.load(candidate) })));
      for (const c of byLoad(probed)) {
        if (!this.#wantsMore()) break;
        if (!this.#attached.has(c.id)) await this.#attachTo(c);
      }
    }
  }

  async #attachTo(c: SearchOrigin): Promise<void> {
    const { directory } = this.#init;
    try {
      const r = await this.#init.transport.request(c.address, 'attach', { leaf: this.#init.self }, { deadlineMs: this.#init.callDeadlineMs });
      if (!r.accepted) {
        directory.shun(c.id);
        return;
      }
    } catch (err) {
      if (isUnreachable(err)) directory.forget(c.id);
      directory.shun(c.id);
      return;
    }
    const attachment: Attachment = { origin: c, queue: Promise.resolve() };
    this.#attached.set(c.id, attachment);
    this.#log.debug({ supernode: c.id.slice(0, 12) }, 'attached to supernode');
    this.#enqueue(c.id, attachment, this.#init.localEntries(), [], true);
    await attachment.queue;
  }

  /** Publishes after the earlier publishes to the same supernode; detaches it if one fails. */
  #enqueue(id: string, attachment: Attachment, upserts: readonly IndexEntry[], removed: readonly string[], full: boolean): void {
    attachment.queue = attachment.queue.then(async () => {
      if (this.#attached.get(id) !== attachment) return;
      let outcome: DetachReason | undefined;
      try {
        if (!(await this.#publish(attachment.origin, publishMessages(this.#init.self.id, full, upserts, removed)))) outcome = 'refused';
      } catch (err) {
        outcome = isUnreachable(err) ? 'failed' : 'refused';
      }
      if (outcome !== undefined && this.#attached.get(id) === attachment) this.detach(id, outcome);
    });
  }

  /** Sends the messages in order; false as soon as one is refused. */
  async #publish(to: SearchOrigin, messages: readonly PublishRequest[]): Promise<boolean> {
    for (const message of messages) {
      const r = await this.#init.transport.request(to.address, 'publish', message, { deadlineMs: this.#init.callDeadlineMs });
      if (!r.accepted) return false;
    }
    return true;
  }
}
