import { NODE_CONFIG } from '@peerweave/config';
import type { TestClusterOptions } from '@peerweave/routing/testing';

/** The routing settings a simulated node runs with: the `lan` preset's unless overridden. */
export interface SimTimings {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  suspicionMult: number;
  suspicionMaxMult: number;
  suspicionConfirmations: number;
  indirectChecks: number;
  retransmitMult: number;
  k: number;
  alpha: number;
  lookupDeadlineMs: number;
  bucketRefreshMs: number;
  joinIntervalMs: number;
  replicationFactor: number;
  overlayNeighbours: number;
  /** Content under churn (content-model.ts): acknowledgements a put needs, and the repair interval. */
  writeQuorum: number;
  repairIntervalMs: number;
}

type Key = keyof SimTimings & keyof typeof NODE_CONFIG;

function lan(key: Key): number {
  const d = NODE_CONFIG[key].default as number | { lan: number };
  return typeof d === 'number' ? d : d.lan;
}

/** The `lan` preset of libs/config (what `PEERWEAVE_PRESET=lan`, the image's default, runs with). */
export function lanTimings(): SimTimings {
  return {
    probeIntervalMs: lan('probeIntervalMs'),
    probeTimeoutMs: lan('probeTimeoutMs'),
    suspicionMult: lan('suspicionMult'),
    suspicionMaxMult: lan('suspicionMaxMult'),
    suspicionConfirmations: lan('suspicionConfirmations'),
    indirectChecks: lan('indirectChecks'),
    retransmitMult: lan('retransmitMult'),
    k: lan('k'),
    alpha: lan('alpha'),
    lookupDeadlineMs: lan('lookupDeadlineMs'),
    bucketRefreshMs: lan('bucketRefreshMs'),
    joinIntervalMs: lan('joinIntervalMs'),
    replicationFactor: lan('replicationFactor'),
    overlayNeighbours: lan('overlayNeighbours'),
    writeQuorum: lan('writeQuorum'),
    repairIntervalMs: lan('repairIntervalMs'),
  };
}

/** The routing init of every node, mapped as libs/node's routingInit maps a node's config. */
export function routingOptions(t: SimTimings): NonNullable<TestClusterOptions['routing']> {
  return {
    k: t.k,
    alpha: t.alpha,
    lookupDeadlineMs: t.lookupDeadlineMs,
    bucketRefreshMs: t.bucketRefreshMs,
    joinIntervalMs: t.joinIntervalMs,
    replicationFactor: t.replicationFactor,
    overlayNeighbours: t.overlayNeighbours,
    swim: {
      probeIntervalMs: t.probeIntervalMs,
      probeTimeoutMs: t.probeTimeoutMs,
      indirectChecks: t.indirectChecks,
      suspicionMult: t.suspicionMult,
      suspicionMaxTimeoutMult: t.suspicionMaxMult,
      suspicionConfirmations: t.suspicionConfirmations,
      retransmitMult: t.retransmitMult,
    },
  };
}
