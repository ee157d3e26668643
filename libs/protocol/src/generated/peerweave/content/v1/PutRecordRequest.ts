// Original file: proto/peerweave/content/v1/content.proto

import type { ObjectRecord as _peerweave_content_v1_ObjectRecord, ObjectRecord__Output as _peerweave_content_v1_ObjectRecord__Output } from '../../../peerweave/content/v1/ObjectRecord.ts';

export interface PutRecordRequest {
  'record'?: (_peerweave_content_v1_ObjectRecord | null);
}

export interface PutRecordRequest__Output {
  'record': (_peerweave_content_v1_ObjectRecord__Output | null);
}
