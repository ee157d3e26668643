/**
 * What a node does besides storing and serving content like every node: a `supernode` also
 * indexes the records of the regular peers (leaves) attached to it and routes searches among the
 * other supernodes.
 */
export const ROLES = ['peer', 'supernode'] as const;
export type Role = (typeof ROLES)[number];
