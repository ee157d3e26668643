// Original file: proto/peerweave/content/v1/content.proto


export interface GetBlockRequest {
  'cid'?: (string);
}

export interface GetBlockRequest__Output {
  'cid': (string);
}
