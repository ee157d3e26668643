import type { AbortOptions, Clock, Startable, TimerHandle, ProviderRecord } from '@peerweave/core';
import type { AddProviderRequest, AddProviderResponse, PeerContact } from '@peerweave/protocol';
import { cidKey, parseCid, type ContentDb } from '@peerweave/storage';
import { outcomeLabel, type ContentMetrics } from './content-metrics.ts';
import { groupByPeer, type ContentPeers } from './content-peers.ts';
import { mapLimit } from './map-limit.ts';
import { mergeProviderRecords, providerExpiry, refreshIntervalMs, refreshPlan, type Provided } from './provider-records.ts';
import type { ReplicaSet } from './replica-set.ts';

/** How long a provider record lives unless refreshed (the provider refreshes at half of it). */
export const DEFAULT_PROVIDER_TTL_MS = 10 * 60 * 1000;
/** Longest provider record a node keeps, whatever the announcer asks for. */
export const MAX_PROVIDER_TTL_MS = 24 * 60 * 60 * 1000;
/** Most provider records kept per CID (the ones expiring first make room). */
export const MAX_PROVIDERS_PER_CID = 64;

export interface ProvidersInit {
  self: PeerContact;
  db: Pick<ContentDb, 'addProvider' | 'providers' | 'expireProviders' | 'getBlock' | 'getTombstone'>;
  clock: Clock;
  replicaSet: Pick<ReplicaSet, 'r' | 'knownPreferenceList'>;
  peers: Pick<ContentPeers, 'addProvider' | 'getProviders' | 'concurrency'>;
  metrics: Pick<ContentMetrics, 'announcements'>;
  /** Lifetime of the records this node announces (default {@link DEFAULT_PROVIDER_TTL_MS}, at most {@link MAX_PROVIDER_TTL_MS}). */
  providerTtlMs?: number;
  /**
   * True when routing holds this node suspect, dead or gone (RoutingNode.stateOf): its provider
   * records are not offered to readers. Default: nobody is.
   */
  isDown?: (id: string) => boolean;
}

/**
 * Provider records: a node that read an object and keeps its leaves announces itself to the r
 * nodes closest to the object's root and refreshes the record while it still holds any leaf;
 * readers ask those nodes for the providers, so a popular object is served by more than its
 * replicas. Also the serving side (AddProvider, GetProviders).
 */
export class Providers implements Startable {
  readonly #init: ProvidersInit;
  readonly #ttlMs: number;
  /** Objects this node announced itself a provider of, with their leaves. */
  readonly #provided = new Map<string, Provided>();
  #timer: TimerHandle | undefined;
  #running = false;
  #stop = new AbortController();

  constructor(init: ProvidersInit) {
    this.#init = init;
    this.#ttlMs = Math.min(init.providerTtlMs ?? DEFAULT_PROVIDER_TTL_MS, MAX_PROVIDER_TTL_MS);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stop = new AbortController();
    this.#scheduleRefresh();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#stop.abort();
    if (this.#timer) this.#init.clock.clearTimeout(this.#timer);
  }

  /** Starts providing `root`: its record goes to the r nodes closest to it now, and on every refresh. */
  provide(root: string, leaves: string[]): void {
    this.#provided.set(root, { leaves, announcedMs: this.#init.clock.now() });
    void this.#announce([root]);
  }

  /** Roots this node currently announces itself a provider of. */
  provided(): string[] {
    return [...this.#provided.keys()];
  }

  /**
   * Nodes other than the replicas that announced they serve `root` (provider records), asked of
   * the r nodes closest to it that this node knows. Answers within a short deadline; a node that
   * does not answer adds nobody. A record outlives its node by up to its lifetime: providers that
   * routing holds suspect, dead or gone are left out, so a read does not spend a block's deadline
   * on a node across a partition or one that crashed (nodes routing does not know are kept).
   */
  async findProviders(root: string, options: AbortOptions = {}): Promise<PeerContact[]> {
    const { providers } = await this.providerRecords(root, options);
    const down = this.#init.isDown ?? (() => false);
    return providers.filter((r) => !down(r.id)).map((r) => ({ id: r.id, address: r.address, role: 'peer', incarnation: 0 }));
  }

  /** The provider records of `root` from its r closest known nodes (merged, latest expiry kept), and those nodes. */
  async providerRecords(root: string, options: AbortOptions = {}): Promise<{ replicas: string[]; providers: ProviderRecord[] }> {
    const key = cidKey(parseCid(root));
    const answers: (readonly ProviderRecord[])[] = [];
    const replicas = this.#init.replicaSet.knownPreferenceList(key, this.#init.replicaSet.r);
    await Promise.all(
      replicas.map(async (p) => {
        if (p.id === this.#init.self.id) return void answers.push(this.recordsFor(root));
        try {
          answers.push(await this.#init.peers.getProviders(p, root, options.signal));
        } catch {
          // Unreachable or too slow: the other replicas of the record answer.
        }
      }),
    );
    return { replicas: replicas.map((p) => p.id), providers: mergeProviderRecords(answers) };
  }

  /** Serves AddProvider: keeps the caller's record of every CID, for at most {@link MAX_PROVIDER_TTL_MS}. */
  accept(request: AddProviderRequest): AddProviderResponse {
    const expiresMs = providerExpiry(this.#init.clock.now(), request.ttlMs, MAX_PROVIDER_TTL_MS);
    for (const cid of request.cids) {
      parseCid(cid);
      this.#init.db.addProvider({ cid, id: request.id, address: request.address, expiresMs }, MAX_PROVIDERS_PER_CID);
    }
    return { accepted: request.cids.length };
  }

  /** Serves GetProviders: the live records of `cid` kept here. */
  recordsFor(cid: string): ProviderRecord[] {
    parseCid(cid);
    return this.#init.db.providers(cid, this.#init.clock.now(), MAX_PROVIDERS_PER_CID);
  }

  async #announce(roots: string[]): Promise<void> {
    const { self, replicaSet, peers, metrics } = this.#init;
    const byPeer = groupByPeer(roots.flatMap((root) => replicaSet.knownPreferenceList(cidKey(parseCid(root)), replicaSet.r).map((p) => [p, root] as const)));
    await mapLimit(byPeer.values(), peers.concurrency, async ({ peer, cids }) => {
      const request = { cids, id: self.id, address: self.address, ttlMs: this.#ttlMs };
      try {
        if (peer.id === self.id) this.accept(request);
        else await peers.addProvider(peer, request, this.#stop.signal);
        metrics.announcements.inc({ outcome: 'ok' }, cids.length);
      } catch (err) {
        metrics.announcements.inc({ outcome: outcomeLabel(err) }, cids.length);
      }
    });
  }

  /** Re-announces what this node still holds blocks of, at half the record lifetime; forgets the rest. */
  #scheduleRefresh(): void {
    if (!this.#running) return;
    this.#timer = this.#init.clock.setTimeout(() => {
      const { db } = this.#init;
      const now = this.#init.clock.now();
      const serves = (root: string, leaves: readonly string[]): boolean =>
        leaves.some((c) => db.getBlock(c) !== undefined) && db.getTombstone(root) === undefined;
      const { due, forget } = refreshPlan(this.#provided, now, this.#ttlMs, serves);
      for (const root of forget) this.#provided.delete(root);
      for (const root of due) this.#provided.set(root, { ...this.#provided.get(root)!, announcedMs: now });
      db.expireProviders(now);
      void this.#announce(due).finally(() => this.#scheduleRefresh());
    }, refreshIntervalMs(this.#ttlMs));
  }
}
