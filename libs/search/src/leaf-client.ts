import { NodeId, silentLogger, type Clock, type Logger, type Random, type Startable, type TimerHandle } from '@peerweave/core';
import { MAX_INDEX_ENTRIES_PER_MESSAGE, type IndexEntry, type SearchClient, type PublishRequest, type SearchOrigin } from '@peerweave/protocol';
import { idFromHex, sortByDistance } from '@peerweave/routing';
import { Periodic } from './periodic.ts';
import type { SearchMetrics } from './search-metrics.ts';
import { isUnreachable } from './search-options.ts';
import { incarnationRose, type SupernodeCandidate } from './supernode-directory.ts';

/**
 * Why a leaf lets go of a supernode: it refused a call, failed one, was declared dead, or came
 * back (higher incarnation) at another address. Only a failed or dead one is given up for a while.
 */
export type DetachReason = 'refused' | 'failed' | 'dead' | 'moved';

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

/**
 * What a maintenance round does with one attached supernode, from what it knows locally:
 * - `moved`: routing shows it at a higher incarnation and another address: attach there again;
 * - `send`: publish now: changes are waiting, or it showed a higher incarnation (it restarted, and
 *   then no longer knows this leaf and refuses, which re-attaches; or it only refuted a suspicion,
 *   and one heartbeat was spent), or nothing went there for `heartbeatMs` (a heartbeat);
 * - `skip`: nothing is due, no call.
 */
export function roundAction(a: {
  now: number;
  lastSentAt: number;
  heartbeatMs: number;
  pending: boolean;
  attachedIncarnation: number | undefined;
  current: SupernodeCandidate | undefined;
  attachedAddress: string;
}): 'moved' | 'send' | 'skip' {
  const rose = incarnationRose(a.attachedIncarnation, a.current?.incarnation);
  if (rose && a.current!.address !== a.attachedAddress) return 'moved';
  return rose || a.pending || a.now - a.lastSentAt >= a.heartbeatMs ? 'send' : 'skip';
}

/** Changes waiting to go to one supernode, by CID: the entry to upsert, or `null` to remove it. */
export type PendingChanges = Map<string, IndexEntry | null>;

/**
 * Adds one change (`upserts`, then `removed`, as a supernode applies a message) to `pending`: a
 * later change of a CID replaces the earlier one, so an upsert then a removal leaves the removal
 * and a removal then an upsert leaves the upsert.
 */
export function mergeChanges(pending: PendingChanges, upserts: readonly IndexEntry[], removed: readonly string[]): void {
  for (const entry of upserts) pending.set(entry.cid, entry);
  for (const cid of removed) pending.set(cid, null);
}

/** The pending changes as one publish's `upserts` and `removed` (each CID in one of them, once). */
export function pendingBatch(pending: PendingChanges): { upserts: IndexEntry[]; removed: string[] } {
  const upserts: IndexEntry[] = [];
  const removed: string[] = [];
  for (const [cid, entry] of pending) {
    if (entry === null) removed.push(cid);
    else upserts.push(entry);
  }
  return { upserts, removed };
}

interface Attachment {
  readonly origin: SearchOrigin;
  /** Its incarnation as routing showed it when last checked (undefined: routing did not know it). */
  incarnation: number | undefined;
  /** Clock time the last publish there started (the attach counts): the next heartbeat is due `heartbeatMs` after it. */
  lastSentAt: number;
  /** The whole index goes out next (on attach): it holds every change made before it is read. */
  fullDue: boolean;
  /** Changes not sent yet, merged (`mergeChanges`). */
  pending: PendingChanges;
  /** Sends `pending` when the linger is over; only while no publish is in flight. */
  linger: TimerHandle | undefined;
  /** The publish in flight to this supernode: never more than one, so they arrive in order. */
  inFlight: Promise<void> | undefined;
}

export interface LeafClientInit {
  self: SearchOrigin;
  /** False for a supernode: it does not attach. */
  active: boolean;
  transport: SearchClient;
  clock: Clock;
  random: Random;
  logger?: Logger;
  /** Counts the Publish messages sent (`publishesSent`). */
  metrics?: Pick<SearchMetrics, 'publishesSent'>;
  /** The supernodes known (with routing's incarnations), and what to do with one that failed. */
  directory: {
    known(): SupernodeCandidate[];
    discover(): Promise<void>;
    load(c: SearchOrigin): Promise<{ supernode: boolean; leaves: number } | undefined>;
    isShunned(id: string): boolean;
    incarnationOf(id: string): number | undefined;
    shun(id: string): void;
    forget(id: string): void;
    giveUp(id: string): void;
    prune(): void;
  };
  /** The node's whole index, for a full publish. */
  localEntries(): IndexEntry[];
  attachCount: number;
  probeCount: number;
  /** Period of the maintenance round (DEFAULT_MAINTENANCE_MS). */
  maintenanceMs: number;
  /** A supernode sent nothing for this long gets an empty publish (DEFAULT_HEARTBEAT_MS). */
  heartbeatMs: number;
  /** How long a change waits for others to go out with it (DEFAULT_PUBLISH_DELAY_MS). */
  publishDelayMs: number;
  callDeadlineMs: number;
}

/**
 * The leaf side: attaches to the `attachCount` least loaded of the closest supernodes, publishes
 * its whole index there and every change after it, heartbeats one it sent nothing for
 * `heartbeatMs`, and re-attaches when one refuses, fails, dies or restarts. The maintenance round
 * (every `maintenanceMs`) calls nobody unless something is due (`roundAction`): an idle leaf sends
 * each supernode one heartbeat per `heartbeatMs`, while a supernode that restarted is noticed
 * within a round, from the incarnation routing shows of it.
 *
 * Changes are coalesced per supernode (as Kafka's producer batches by `linger.ms`): a change
 * waits `publishDelayMs` for others, and all that came meanwhile go out in one publish, a later
 * change of a CID replacing the earlier one. While a publish to that supernode is in flight the
 * changes wait for it and go out right after it, so there is never more than one in flight and
 * they arrive in order. A busy leaf thus sends at most one publish per linger (or per round trip)
 * to each supernode, however many records it starts or stops holding.
 */
export class LeafClient implements Startable {
  readonly #init: LeafClientInit;
  readonly #log: Logger;
  /** Supernodes this node is attached to (published to). */
  readonly #attached = new Map<string, Attachment>();
  readonly #timer: Periodic;
  /** Set by stop (cleared by start): nothing more is published. */
  #stopped = false;

  constructor(init: LeafClientInit) {
    this.#init = init;
    this.#log = init.logger ?? silentLogger;
    this.#timer = new Periodic({ clock: init.clock, random: init.random, logger: init.logger, periodMs: init.maintenanceMs, round: () => this.maintain() });
  }

  async start(): Promise<void> {
    this.#stopped = false;
    if (this.#init.active) await this.#timer.start();
  }

  /** Stops the rounds and lets go of every supernode: nothing pending, no timer, no publish after it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const attachment of this.#attached.values()) this.#drop(attachment);
    this.#attached.clear();
    await this.#timer.stop();
  }

  /** The supernodes this node is attached to. */
  attached(): SearchOrigin[] {
    return [...this.#attached.values()].map((a) => a.origin);
  }

  get attachedCount(): number {
    return this.#attached.size;
  }

  /**
   * A change of the node's records, for every attached supernode: merged into its pending batch,
   * which goes out after the linger, or right after the publish in flight there.
   */
  indexChanged(upserts: readonly IndexEntry[], removed: readonly string[]): void {
    if (this.#stopped || (upserts.length === 0 && removed.length === 0)) return;
    for (const [id, attachment] of this.#attached) {
      if (!attachment.fullDue) mergeChanges(attachment.pending, upserts, removed);
      if (attachment.inFlight === undefined && attachment.linger === undefined) {
        attachment.linger = this.#init.clock.setTimeout(() => {
          attachment.linger = undefined;
          this.#flush(id, attachment);
        }, this.#init.publishDelayMs);
      }
    }
  }

  /** Lets go of supernode `id` (its pending changes too); if it failed or died, it is given up for a while. Next round comes sooner. */
  detach(id: string, reason: DetachReason): void {
    const attachment = this.#attached.get(id);
    if (attachment === undefined) return;
    this.#attached.delete(id);
    this.#drop(attachment);
    this.#log.debug({ supernode: id.slice(0, 12), reason }, 'detached from supernode');
    if (reason === 'failed' || reason === 'dead') this.#init.directory.giveUp(id);
    // With jitter, so the leaves of a dead supernode do not all move at once.
    this.#timer.kick();
  }

  /**
   * One round: for every attached supernode what `roundAction` says (the pending batch or an empty
   * heartbeat goes now, nothing when a publish is in flight, which the supernode hears anyway; one
   * that moved is attached again); once what it sent was answered (a restarted supernode refuses,
   * and is detached), attach while fewer than `attachCount`: a restart costs one round, not two.
   */
  async maintain(): Promise<void> {
    const { directory, clock, heartbeatMs } = this.#init;
    directory.prune();
    const now = clock.now();
    const known = this.#attached.size > 0 ? new Map(directory.known().map((c) => [c.id, c])) : new Map<string, SupernodeCandidate>();
    const sending: Promise<void>[] = [];
    for (const [id, attachment] of [...this.#attached]) {
      const current = known.get(id);
      const action = roundAction({
        now,
        lastSentAt: attachment.lastSentAt,
        heartbeatMs,
        pending: attachment.fullDue || attachment.pending.size > 0,
        attachedIncarnation: attachment.incarnation,
        current,
        attachedAddress: attachment.origin.address,
      });
      if (action === 'moved') {
        this.detach(id, 'moved');
        continue;
      }
      const sent = action === 'send' && this.#flush(id, attachment);
      if (sent) sending.push(attachment.inFlight!);
      // A rise is taken in once a publish went out after it (one in flight may predate it).
      if (current?.incarnation !== undefined && (action === 'skip' || sent)) attachment.incarnation = current.incarnation;
    }
    await Promise.all(sending);
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

  async #attachTo(c: SupernodeCandidate): Promise<void> {
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
    if (this.#stopped || this.#attached.has(c.id)) return;
    const attachment: Attachment = {
      origin: { id: c.id, address: c.address },
      incarnation: c.incarnation ?? directory.incarnationOf(c.id),
      lastSentAt: this.#init.clock.now(),
      fullDue: true,
      pending: new Map(),
      linger: undefined,
      inFlight: undefined,
    };
    this.#attached.set(c.id, attachment);
    this.#log.debug({ supernode: c.id.slice(0, 12) }, 'attached to supernode');
    this.#flush(c.id, attachment);
    await attachment.inFlight;
  }

  /** Forgets what was waiting to go to a supernode let go of. */
  #drop(attachment: Attachment): void {
    if (attachment.linger !== undefined) this.#init.clock.clearTimeout(attachment.linger);
    attachment.linger = undefined;
    attachment.pending.clear();
    attachment.fullDue = false;
  }

  /**
   * Sends what is due to supernode `id` now (the whole index, else the pending batch, else an
   * empty heartbeat), unless a publish is in flight there: then it goes right after that one.
   * True if a publish started.
   */
  #flush(id: string, attachment: Attachment): boolean {
    if (attachment.linger !== undefined) this.#init.clock.clearTimeout(attachment.linger);
    attachment.linger = undefined;
    if (attachment.inFlight !== undefined || this.#stopped || this.#attached.get(id) !== attachment) return false;
    const full = attachment.fullDue;
    // A full publish reads the index as it is now: the changes pending before it are in there.
    const { upserts, removed } = full ? { upserts: this.#init.localEntries(), removed: [] } : pendingBatch(attachment.pending);
    attachment.fullDue = false;
    attachment.pending = new Map();
    attachment.lastSentAt = this.#init.clock.now();
    const sent = this.#send(id, attachment, publishMessages(this.#init.self.id, full, upserts, removed));
    attachment.inFlight = sent;
    void sent.then(() => {
      attachment.inFlight = undefined;
      if (attachment.fullDue || attachment.pending.size > 0) this.#flush(id, attachment);
    });
    return true;
  }

  /** Sends the messages in order, while still attached and not stopped; detaches the supernode if one is refused or fails. */
  async #send(id: string, attachment: Attachment, messages: readonly PublishRequest[]): Promise<void> {
    const current = (): boolean => !this.#stopped && this.#attached.get(id) === attachment;
    let outcome: DetachReason | undefined;
    try {
      for (const message of messages) {
        if (!current()) return;
        this.#init.metrics?.publishesSent.inc();
        const r = await this.#init.transport.request(attachment.origin.address, 'publish', message, { deadlineMs: this.#init.callDeadlineMs });
        if (!r.accepted) {
          outcome = 'refused';
          break;
        }
      }
    } catch (err) {
      outcome = isUnreachable(err) ? 'failed' : 'refused';
    }
    if (outcome !== undefined && current()) this.detach(id, outcome);
  }
}
