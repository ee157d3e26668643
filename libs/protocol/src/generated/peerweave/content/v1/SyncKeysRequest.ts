// Original file: proto/peerweave/content/v1/content.proto


export interface SyncKeysRequest {
  'from'?: (Buffer | Uint8Array | string);
  'prefixes'?: (number)[];
}

export interface SyncKeysRequest__Output {
  'from': (Buffer);
  'prefixes': (number)[];
}
