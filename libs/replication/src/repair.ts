import { silentLogger, type Clock, type Logger, type Startable, type TimerHandle } from '@peerweave/core';
import type { PeerContact } from '@peerweave/protocol';
import { cidKey, parseCid, type ContentDb } from '@peerweave/storage';
import type { BlockPush } from './block-push.ts';
import type { ContentMetrics } from './content-metrics.ts';
import { groupByPeer, type ContentPeers } from './content-peers.ts';
import { mapLimit } from './map-limit.ts';
import type { ReadCache } from './read-cache.ts';
import { planRepair, REVERIFY_EVERY_PASSES, settleRepair } from './repair-plan.ts';
import { ContactsWatch } from './contacts-watch.ts';
import type { ContentRouting, ReplicaSet } from './replica-set.ts';
import type { Tombstones } from './tombstones.ts';

/** How often every held block's replica set is re-checked (and on every change of contacts). */
export const DEFAULT_REPAIR_INTERVAL_MS = 10_000;
/**
 * Delay of a pass after contacts change: a burst of changes (a node joining) makes one pass.
 * Longer avoids moving copies for a node that comes straight back; shorter restores sooner.
 */
export const DEFAULT_REPAIR_DELAY_MS = 500;

/** The ContentDb counter that keeps the last pass number that verified anything. */
export const REPAIR_PASS_COUNTER = 'repair.pass';

export interface RepairInit {
  self: Pick<PeerContact, 'id'>;
  routing: Pick<ContentRouting, 'on' | 'off'>;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList'>;
  db: Pick<ContentDb, 'blocks' | 'setKind' | 'changes' | 'markVerified' | 'counter' | 'setCounter' | 'transaction'>;
  peers: Pick<ContentPeers, 'whoHas' | 'concurrency'>;
  push: Pick<BlockPush, 'push'>;
  tombstones: Pick<Tombstones, 'collectGarbage'>;
  cache: Pick<ReadCache, 'evict'>;
  clock: Clock;
  metrics: Pick<ContentMetrics, 'moved' | 'handoffs' | 'backlog' | 'underReplicated'>;
  logger?: Logger;
  /** Default {@link DEFAULT_REPAIR_INTERVAL_MS}. */
  repairIntervalMs?: number;
  /** Default {@link DEFAULT_REPAIR_DELAY_MS}. */
  repairDelayMs?: number;
}

export interface RepairReport {
  /** Blocks held that were checked against their replica set. */
  checked: number;
  /** Copies pushed to replicas that lacked them. */
  pushed: number;
  /** Hints handed back to their node. */
  handedBack: number;
  /** Replica copies whose node found a replica missing and could not reach it. */
  backlog: number;
}

/**
 * Keeps this node's share of the data complete: on every change of contacts (debounced) and every
 * interval, each replica copy checks, with one HasBlocks per peer, that the other replicas of its
 * key hold it and pushes it where missing; hints go back to their node; copies this node is no
 * longer responsible for are handed over and demoted to cache. Sets verified complete are not
 * asked again until they change (or every REVERIFY_EVERY_PASSES passes): what each block was
 * verified against is kept in its row (ContentDb.markVerified), so nothing in memory grows with the
 * store (issue #12). Pass numbers go on from the stored counter past REVERIFY_EVERY_PASSES, so a
 * restarted node asks about everything once, as one that remembered nothing would.
 */
export class Repair implements Startable {
  readonly #init: RepairInit;
  readonly #log: Logger;
  readonly #intervalMs: number;
  /** The last pass's number; read from the stored counter at the first pass. */
  #pass: number | undefined;
  #timer: TimerHandle | undefined;
  #repairing: Promise<RepairReport> | undefined;
  #again = false;
  readonly #delayMs: number;
  /** Running state; a change of contacts schedules a pass after #delayMs. */
  readonly #watch: ContactsWatch;
  /** What the last pass that left nothing to do saw; a periodic pass with the same state is skipped. */
  #clean: { changes: number; contacts: number } | undefined;
  #skipped = 0;

  constructor(init: RepairInit) {
    this.#init = init;
    this.#watch = new ContactsWatch(init.routing, () => this.#schedule(this.#delayMs));
    this.#log = init.logger ?? silentLogger;
    this.#intervalMs = init.repairIntervalMs ?? DEFAULT_REPAIR_INTERVAL_MS;
    this.#delayMs = init.repairDelayMs ?? DEFAULT_REPAIR_DELAY_MS;
  }

  async start(): Promise<void> {
    if (this.#watch.start()) this.#schedule(this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (!this.#watch.stop()) return;
    if (this.#timer) this.#init.clock.clearTimeout(this.#timer);
    await this.#repairing?.catch(() => {});
  }

  /** Periodic passes skipped because nothing changed since a pass that left nothing to do. */
  get skipped(): number {
    return this.#skipped;
  }

  /** One repair pass; concurrent calls share one pass, and a call during a pass runs another after it. */
  run(): Promise<RepairReport> {
    if (this.#repairing) {
      this.#again = true;
      return this.#repairing;
    }
    this.#repairing = this.#runPass().finally(() => {
      this.#repairing = undefined;
      if (this.#again && this.#watch.running) {
        this.#again = false;
        this.#schedule(0);
      }
    });
    return this.#repairing;
  }

  async #runPass(): Promise<RepairReport> {
    const { db, replicaSet, peers, push, metrics } = this.#init;
    const signal = this.#watch.signal;
    const before = { changes: db.changes, contacts: this.#watch.version };
    this.#pass ??= db.counter(REPAIR_PASS_COUNTER) + REVERIFY_EVERY_PASSES;
    const pass = ++this.#pass;
    this.#init.tombstones.collectGarbage();
    const plan = planRepair(db.blocks(), {
      selfId: this.#init.self.id,
      replicasOf: (cid) => replicaSet.knownPreferenceList(cidKey(parseCid(cid)), replicaSet.r),
      pass,
    });
    for (const cid of plan.promote) db.setKind(cid, 'replica');
    const report: RepairReport = { checked: plan.checked, pushed: 0, handedBack: 0, backlog: 0 };
    const { lacking, unreachable: incomplete } = await peers.whoHas(groupByPeer(plan.toAsk), signal);
    const pushed = await mapLimit(lacking, peers.concurrency, async ({ peer, cid }) => {
      const ok = await push.push(peer, cid, signal);
      if (!ok) incomplete.add(cid);
      return ok;
    });
    report.pushed = pushed.filter(Boolean).length;
    metrics.moved.inc({ reason: 'repair' }, report.pushed);
    // Sets of fewer than r nodes (too few known for the key) are short whatever the replicas hold:
    // never verified, so they are looked at again every pass until the network has r for them.
    const short = [...plan.replicaSets].filter(([, set]) => set.split(',').length < replicaSet.r).map(([cid]) => cid);
    const underReplicated = new Set([...incomplete, ...short]);
    metrics.underReplicated.set(underReplicated.size);
    const settled = settleRepair(plan, underReplicated, pass);
    if (settled.verified.length > 0) {
      db.transaction(() => {
        db.markVerified(settled.verified);
        db.setCounter(REPAIR_PASS_COUNTER, pass);
      });
    }
    // The new replicas have these now: keep the copies only as evictable cache.
    for (const cid of settled.demote) db.setKind(cid, 'cache');
    const handed = await mapLimit(plan.handBack, peers.concurrency, async ({ cid, target, keepAs }) => {
      if (!(await push.push(target, cid, signal))) return false;
      db.setKind(cid, keepAs);
      metrics.handoffs.inc({ event: 'delivered' });
      return true;
    });
    report.handedBack = handed.filter(Boolean).length;
    report.backlog = incomplete.size;
    metrics.backlog.set(report.backlog);
    // Nothing pushed, handed back or left pending, and nothing changed while the pass ran (a
    // promotion or demotion is a change of the store): until the store or the contacts change,
    // another pass would find the same.
    const quiet = report.pushed === 0 && report.handedBack === 0 && report.backlog === 0;
    this.#clean = quiet && db.changes === before.changes && this.#watch.version === before.contacts ? before : undefined;
    if (report.pushed > 0 || report.handedBack > 0 || report.backlog > 0) this.#log.info({ ...report }, 'repair pass');
    await this.#init.cache.evict();
    return report;
  }

  /** True if the last pass left nothing to do and neither the store nor the contacts changed since. */
  #unchanged(): boolean {
    const clean = this.#clean;
    return clean !== undefined && clean.changes === this.#init.db.changes && clean.contacts === this.#watch.version;
  }

  #schedule(delayMs: number): void {
    if (!this.#watch.running) return;
    if (this.#timer) this.#init.clock.clearTimeout(this.#timer);
    this.#timer = this.#init.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#unchanged()) {
        this.#skipped++;
        this.#init.tombstones.collectGarbage();
        this.#schedule(this.#intervalMs);
        return;
      }
      void this.run()
        .catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'repair pass failed'))
        .finally(() => this.#schedule(this.#intervalMs));
    }, delayMs);
  }
}
