// Original file: proto/peerweave/content/v1/content.proto


export interface HasBlocksRequest {
  'cids'?: (string)[];
}

export interface HasBlocksRequest__Output {
  'cids': (string)[];
}
