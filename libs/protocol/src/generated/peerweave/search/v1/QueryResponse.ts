// Original file: proto/peerweave/search/v1/search.proto


export interface QueryResponse {
  'accepted'?: (boolean);
}

export interface QueryResponse__Output {
  'accepted': (boolean);
}
