// Original file: proto/peerweave/content/v1/content.proto


export interface CallFrame {
  'seq'?: (number);
  'method'?: (string);
  'request'?: (Buffer | Uint8Array | string);
  'timeoutMs'?: (number);
}

export interface CallFrame__Output {
  'seq': (number);
  'method': (string);
  'request': (Buffer);
  'timeoutMs': (number);
}
