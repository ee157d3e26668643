// Original file: proto/peerweave/content/v1/content.proto


export interface GetRecordRequest {
  'cid'?: (string);
  'rootBlockMaxBytes'?: (number);
}

export interface GetRecordRequest__Output {
  'cid': (string);
  'rootBlockMaxBytes': (number);
}
