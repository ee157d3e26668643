// Original file: proto/peerweave/search/v1/search.proto


export interface SearchLoadRequest {
  'from'?: (Buffer | Uint8Array | string);
}

export interface SearchLoadRequest__Output {
  'from': (Buffer);
}
