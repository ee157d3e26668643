// Original file: proto/peerweave/routing/v1/routing.proto

export const MemberState = {
  MEMBER_STATE_UNSPECIFIED: 'MEMBER_STATE_UNSPECIFIED',
  MEMBER_STATE_ALIVE: 'MEMBER_STATE_ALIVE',
  MEMBER_STATE_SUSPECT: 'MEMBER_STATE_SUSPECT',
  MEMBER_STATE_DEAD: 'MEMBER_STATE_DEAD',
  MEMBER_STATE_LEFT: 'MEMBER_STATE_LEFT',
} as const;

export type MemberState =
  | 'MEMBER_STATE_UNSPECIFIED'
  | 0
  | 'MEMBER_STATE_ALIVE'
  | 1
  | 'MEMBER_STATE_SUSPECT'
  | 2
  | 'MEMBER_STATE_DEAD'
  | 3
  | 'MEMBER_STATE_LEFT'
  | 4

export type MemberState__Output = typeof MemberState[keyof typeof MemberState]
