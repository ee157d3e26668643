// Original file: proto/peerweave/content/v1/content.proto


export interface PutBlockResponse {
  'stored'?: (boolean);
}

export interface PutBlockResponse__Output {
  'stored': (boolean);
}
