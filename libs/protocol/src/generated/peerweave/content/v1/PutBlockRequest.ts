// Original file: proto/peerweave/content/v1/content.proto

import type { ObjectRecord as _peerweave_content_v1_ObjectRecord, ObjectRecord__Output as _peerweave_content_v1_ObjectRecord__Output } from '../../../peerweave/content/v1/ObjectRecord.ts';

export interface PutBlockRequest {
  'cid'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'roots'?: (string)[];
  'hintFor'?: (Buffer | Uint8Array | string);
  'record'?: (_peerweave_content_v1_ObjectRecord | null);
  '_record'?: "record";
}

export interface PutBlockRequest__Output {
  'cid': (string);
  'data': (Buffer);
  'roots': (string)[];
  'hintFor': (Buffer);
  'record'?: (_peerweave_content_v1_ObjectRecord__Output | null);
  '_record'?: "record";
}
