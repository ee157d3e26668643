// Original file: proto/peerweave/content/v1/content.proto


export interface PutRecordResponse {
  'stored'?: (boolean);
}

export interface PutRecordResponse__Output {
  'stored': (boolean);
}
