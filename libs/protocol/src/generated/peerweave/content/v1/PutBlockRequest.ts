// Original file: proto/peerweave/content/v1/content.proto


export interface PutBlockRequest {
  'cid'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'roots'?: (string)[];
  'hintFor'?: (Buffer | Uint8Array | string);
}

export interface PutBlockRequest__Output {
  'cid': (string);
  'data': (Buffer);
  'roots': (string)[];
  'hintFor': (Buffer);
}
