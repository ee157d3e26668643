// Original file: proto/peerweave/content/v1/content.proto


export interface ReplyFrame {
  'seq'?: (number);
  'status'?: (number);
  'message'?: (string);
  'response'?: (Buffer | Uint8Array | string);
}

export interface ReplyFrame__Output {
  'seq': (number);
  'status': (number);
  'message': (string);
  'response': (Buffer);
}
