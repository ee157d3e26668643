// Original file: proto/peerweave/content/v1/content.proto

import type { PinnedBlock as _peerweave_content_v1_PinnedBlock, PinnedBlock__Output as _peerweave_content_v1_PinnedBlock__Output } from '../../../peerweave/content/v1/PinnedBlock.ts';

export interface PinBlocksRequest {
  'root'?: (string);
  'blocks'?: (_peerweave_content_v1_PinnedBlock)[];
  'release'?: (boolean);
}

export interface PinBlocksRequest__Output {
  'root': (string);
  'blocks': (_peerweave_content_v1_PinnedBlock__Output)[];
  'release': (boolean);
}
