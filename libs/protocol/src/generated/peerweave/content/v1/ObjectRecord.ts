// Original file: proto/peerweave/content/v1/content.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectRecord {
  'cid'?: (string);
  'name'?: (string);
  'contentType'?: (string);
  'size'?: (number | string | Long);
  'blocks'?: (number | string | Long);
  'keywords'?: (string)[];
  'createdMs'?: (number | string | Long);
  'uploader'?: (Buffer | Uint8Array | string);
  'uploaderKey'?: (Buffer | Uint8Array | string);
  'signature'?: (Buffer | Uint8Array | string);
}

export interface ObjectRecord__Output {
  'cid': (string);
  'name': (string);
  'contentType': (string);
  'size': (number);
  'blocks': (number);
  'keywords': (string)[];
  'createdMs': (number);
  'uploader': (Buffer);
  'uploaderKey': (Buffer);
  'signature': (Buffer);
}
