// Original file: proto/peerweave/content/v1/content.proto

import type { ObjectRecord as _peerweave_content_v1_ObjectRecord, ObjectRecord__Output as _peerweave_content_v1_ObjectRecord__Output } from '../../../peerweave/content/v1/ObjectRecord.ts';
import type { Tombstone as _peerweave_content_v1_Tombstone, Tombstone__Output as _peerweave_content_v1_Tombstone__Output } from '../../../peerweave/content/v1/Tombstone.ts';

export interface GetRecordResponse {
  'record'?: (_peerweave_content_v1_ObjectRecord | null);
  'tombstone'?: (_peerweave_content_v1_Tombstone | null);
  'rootBlock'?: (Buffer | Uint8Array | string);
  '_record'?: "record";
  '_tombstone'?: "tombstone";
  '_rootBlock'?: "rootBlock";
}

export interface GetRecordResponse__Output {
  'record'?: (_peerweave_content_v1_ObjectRecord__Output | null);
  'tombstone'?: (_peerweave_content_v1_Tombstone__Output | null);
  'rootBlock'?: (Buffer);
  '_record'?: "record";
  '_tombstone'?: "tombstone";
  '_rootBlock'?: "rootBlock";
}
