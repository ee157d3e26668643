// Original file: proto/peerweave/content/v1/content.proto


export interface BlockWant {
  'cid'?: (string);
}

export interface BlockWant__Output {
  'cid': (string);
}
