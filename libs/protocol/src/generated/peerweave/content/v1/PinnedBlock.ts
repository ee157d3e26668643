// Original file: proto/peerweave/content/v1/content.proto


export interface PinnedBlock {
  'cid'?: (string);
  'hintFor'?: (Buffer | Uint8Array | string);
}

export interface PinnedBlock__Output {
  'cid': (string);
  'hintFor': (Buffer);
}
