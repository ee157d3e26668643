// SWIM liveness with Lifeguard (after hashicorp/memberlist): the public API of this folder.
export { Swim } from './swim.ts';
export type { SwimInit, SwimEvents } from './swim.ts';
export {
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_INDIRECT_CHECKS,
  DEFAULT_SUSPICION_MULT,
  DEFAULT_SUSPICION_MAX_TIMEOUT_MULT,
  DEFAULT_SUSPICION_CONFIRMATIONS,
  DEFAULT_RETRANSMIT_MULT,
  DEFAULT_AWARENESS_MAX_MULTIPLIER,
  DEFAULT_MAX_PIGGYBACK,
  DEFAULT_MAX_JOIN_PIGGYBACK,
  DEFAULT_DEAD_RETENTION_MS,
  DEFAULT_LEAVE_TIMEOUT_MS,
  DEFAULT_LEAVE_FANOUT,
  DEFAULT_SWIM_TUNING,
  SWIM_PRESETS,
  resolveSwimTuning,
} from './swim-config.ts';
export type { SwimTuning } from './swim-config.ts';
export { Membership } from './membership.ts';
export type {
  ApplyResult,
  GoneState,
  MemberChange,
  MemberInfo,
  MembershipEvents,
  MembershipInit,
} from './membership.ts';
export { Suspicion } from './suspicion.ts';
export type { SuspicionInit } from './suspicion.ts';
export { BroadcastQueue, DEFAULT_MAX_QUEUED_UPDATES } from './broadcast-queue.ts';
export type { BroadcastQueueInit } from './broadcast-queue.ts';
export { Awareness } from './awareness.ts';
export { ProbeOrder } from './probe-order.ts';
export { suspicionTimeout, retransmitLimit, remainingSuspicionTime, scaleByAwareness } from './swim-math.ts';
// The wire's member states, re-exported for callers of stateOf().
export type { MemberState } from '@peerweave/protocol';
