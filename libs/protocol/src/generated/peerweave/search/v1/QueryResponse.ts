// Original file: proto/peerweave/search/v1/search.proto


export interface QueryResponse {
  'accepted'?: (boolean);
  'forwardedTo'?: (Buffer | Uint8Array | string)[];
}

export interface QueryResponse__Output {
  'accepted': (boolean);
  'forwardedTo': (Buffer)[];
}
