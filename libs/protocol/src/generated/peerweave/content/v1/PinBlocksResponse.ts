// Original file: proto/peerweave/content/v1/content.proto


export interface PinBlocksResponse {
  'pinned'?: (boolean)[];
}

export interface PinBlocksResponse__Output {
  'pinned': (boolean)[];
}
