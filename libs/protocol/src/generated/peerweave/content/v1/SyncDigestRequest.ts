// Original file: proto/peerweave/content/v1/content.proto

import type { RangeDigest as _peerweave_content_v1_RangeDigest, RangeDigest__Output as _peerweave_content_v1_RangeDigest__Output } from '../../../peerweave/content/v1/RangeDigest.ts';

export interface SyncDigestRequest {
  'from'?: (Buffer | Uint8Array | string);
  'digests'?: (_peerweave_content_v1_RangeDigest)[];
}

export interface SyncDigestRequest__Output {
  'from': (Buffer);
  'digests': (_peerweave_content_v1_RangeDigest__Output)[];
}
