// Original file: proto/peerweave/content/v1/content.proto


export interface BlockFrame {
  'cid'?: (string);
  'found'?: (boolean);
  'roots'?: (string)[];
  'hintFor'?: (Buffer | Uint8Array | string);
  'error'?: (string);
  'message'?: (string);
  'data'?: (Buffer | Uint8Array | string);
}

export interface BlockFrame__Output {
  'cid': (string);
  'found': (boolean);
  'roots': (string)[];
  'hintFor': (Buffer);
  'error': (string);
  'message': (string);
  'data': (Buffer);
}
