// Original file: proto/peerweave/content/v1/content.proto

import type { Tombstone as _peerweave_content_v1_Tombstone, Tombstone__Output as _peerweave_content_v1_Tombstone__Output } from '../../../peerweave/content/v1/Tombstone.ts';

export interface PutTombstoneRequest {
  'tombstone'?: (_peerweave_content_v1_Tombstone | null);
}

export interface PutTombstoneRequest__Output {
  'tombstone': (_peerweave_content_v1_Tombstone__Output | null);
}
