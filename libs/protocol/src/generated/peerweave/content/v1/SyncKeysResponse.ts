// Original file: proto/peerweave/content/v1/content.proto

import type { Tombstone as _peerweave_content_v1_Tombstone, Tombstone__Output as _peerweave_content_v1_Tombstone__Output } from '../../../peerweave/content/v1/Tombstone.ts';

export interface SyncKeysResponse {
  'keys'?: (string)[];
  'tombstones'?: (_peerweave_content_v1_Tombstone)[];
}

export interface SyncKeysResponse__Output {
  'keys': (string)[];
  'tombstones': (_peerweave_content_v1_Tombstone__Output)[];
}
