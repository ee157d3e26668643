// Original file: proto/peerweave/search/v1/search.proto


export interface HitsResponse {
  'wanted'?: (boolean);
}

export interface HitsResponse__Output {
  'wanted': (boolean);
}
