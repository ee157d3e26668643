// Original file: proto/peerweave/search/v1/search.proto


export interface PublishResponse {
  'accepted'?: (boolean);
}

export interface PublishResponse__Output {
  'accepted': (boolean);
}
