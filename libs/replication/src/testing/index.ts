// In-process test layer for content: `@peerweave/replication/testing`.
export { ContentCluster, createContentCluster, type ContentClusterOptions, type ContentClusterNode } from './content-cluster.ts';
// The pure placement and repair decisions, for the simulator's content model (apps/sim).
export { preferenceList } from '../placement.ts';
export { planRepair, settleRepair } from '../repair-plan.ts';
export type { VerifiedMark } from '@peerweave/storage';
