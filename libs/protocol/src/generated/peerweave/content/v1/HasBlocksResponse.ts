// Original file: proto/peerweave/content/v1/content.proto


export interface HasBlocksResponse {
  'have'?: (boolean)[];
}

export interface HasBlocksResponse__Output {
  'have': (boolean)[];
}
