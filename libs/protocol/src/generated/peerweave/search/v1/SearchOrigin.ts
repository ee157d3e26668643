// Original file: proto/peerweave/search/v1/search.proto


export interface SearchOrigin {
  'id'?: (Buffer | Uint8Array | string);
  'address'?: (string);
}

export interface SearchOrigin__Output {
  'id': (Buffer);
  'address': (string);
}
