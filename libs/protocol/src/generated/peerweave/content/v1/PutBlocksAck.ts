// Original file: proto/peerweave/content/v1/content.proto


export interface PutBlocksAck {
  'cid'?: (string);
  'stored'?: (boolean);
  'error'?: (string);
  'message'?: (string);
}

export interface PutBlocksAck__Output {
  'cid': (string);
  'stored': (boolean);
  'error': (string);
  'message': (string);
}
