// Original file: proto/peerweave/content/v1/content.proto


export interface GetProvidersRequest {
  'cid'?: (string);
}

export interface GetProvidersRequest__Output {
  'cid': (string);
}
