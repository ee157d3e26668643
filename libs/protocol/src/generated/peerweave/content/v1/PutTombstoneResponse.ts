// Original file: proto/peerweave/content/v1/content.proto


export interface PutTombstoneResponse {
  'applied'?: (boolean);
}

export interface PutTombstoneResponse__Output {
  'applied': (boolean);
}
