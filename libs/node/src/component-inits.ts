// The settings of each component, read from the node's configuration: pure mappings, so that the
// factory (start-node.ts) is only the order of things.
import { systemClock, systemRandom } from '@peerweave/core';
import type { NodeConfig } from '@peerweave/config';
import type { Identity } from '@peerweave/identity';
import type { PeerTransport } from '@peerweave/protocol';
import type { ContentNodeInit } from '@peerweave/replication';
import { SeedResolver, type RoutingNode, type RoutingNodeInit } from '@peerweave/routing';
import { SELF_OWNER, type SearchNodeInit } from '@peerweave/search';
import type { MetricsRegistry, RootLogger } from '@peerweave/telemetry';
import type { NodeStores } from './node-stores.ts';

/** What every component of one node shares. */
export interface NodeBase {
  config: NodeConfig;
  identity: Identity;
  logger: RootLogger;
  metrics: MetricsRegistry;
  /** The node's id (hex) and the gRPC address it advertises. */
  self: { id: string; address: string; role: string };
  transport: PeerTransport;
}

/** `grpcPort`: the bound port, the default port of seeds given without one when configured as 0. */
export function routingInit({ config, logger, metrics, self, transport }: NodeBase, grpcPort: number): RoutingNodeInit {
  return {
    self,
    transport,
    clock: systemClock,
    random: systemRandom,
    logger,
    metrics,
    seeds: new SeedResolver({
      seeds: config.seeds,
      join: config.join,
      defaultPort: config.grpcPort === 0 ? grpcPort : config.grpcPort,
      logger: logger.child({ component: 'join' }),
    }),
    k: config.k,
    alpha: config.alpha,
    lookupDeadlineMs: config.lookupDeadlineMs,
    bucketRefreshMs: config.bucketRefreshMs,
    joinIntervalMs: config.joinIntervalMs,
    replicationFactor: config.replicationFactor,
    overlayNeighbours: config.overlayNeighbours,
    swim: {
      probeIntervalMs: config.probeIntervalMs,
      probeTimeoutMs: config.probeTimeoutMs,
      indirectChecks: config.indirectChecks,
      suspicionMult: config.suspicionMult,
      suspicionMaxTimeoutMult: config.suspicionMaxMult,
      suspicionConfirmations: config.suspicionConfirmations,
      retransmitMult: config.retransmitMult,
    },
  };
}

export function searchInit({ config, logger, metrics, self, transport }: NodeBase, stores: NodeStores, routing: RoutingNode): SearchNodeInit {
  const { searchIndex, leafIndex } = stores;
  return {
    self: { id: self.id, address: self.address },
    role: config.role,
    transport,
    clock: systemClock,
    random: systemRandom,
    logger,
    metrics,
    index: searchIndex,
    ...(leafIndex ? { leafIndex } : {}),
    overlay: () => routing.overlayContacts(),
    supernodeCandidates: () => routing.contactsWithRole('supernode'),
    localEntries: () => searchIndex.entries(SELF_OWNER),
    publishDelayMs: config.searchPublishDelayMs,
    maintenanceMs: config.searchMaintenanceMs,
    heartbeatMs: config.searchHeartbeatMs,
  };
}

export function contentInit(
  { config, identity, logger, metrics, self, transport }: NodeBase,
  stores: NodeStores,
  routing: RoutingNode,
  onRecords: ContentNodeInit['onRecords'],
): ContentNodeInit {
  return {
    self: { ...self, incarnation: 0 },
    identity,
    routing,
    transport,
    blocks: stores.blocks,
    db: stores.db,
    clock: systemClock,
    logger,
    metrics,
    replicationFactor: config.replicationFactor,
    writeQuorum: config.writeQuorum,
    cacheBytes: config.cacheBytes,
    repairIntervalMs: config.repairIntervalMs,
    repairDelayMs: config.repairDelayMs,
    antiEntropyIntervalMs: config.antiEntropyIntervalMs,
    tombstoneTtlMs: config.tombstoneTtlMs,
    providerTtlMs: config.providerTtlMs,
    maxRequestsPerPeer: config.maxRequestsPerPeer,
    ...(onRecords ? { onRecords } : {}),
    blockDeadlineMs: config.rpcDeadlineMs,
  };
}
