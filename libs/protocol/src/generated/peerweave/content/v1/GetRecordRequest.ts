// Original file: proto/peerweave/content/v1/content.proto


export interface GetRecordRequest {
  'cid'?: (string);
}

export interface GetRecordRequest__Output {
  'cid': (string);
}
