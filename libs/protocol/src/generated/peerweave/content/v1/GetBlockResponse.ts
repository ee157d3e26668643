// Original file: proto/peerweave/content/v1/content.proto


export interface GetBlockResponse {
  'found'?: (boolean);
  'data'?: (Buffer | Uint8Array | string);
}

export interface GetBlockResponse__Output {
  'found': (boolean);
  'data': (Buffer);
}
