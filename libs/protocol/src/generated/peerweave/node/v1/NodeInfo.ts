// Original file: proto/peerweave/node/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeInfo {
  'nodeId'?: (string);
  'publicKey'?: (Buffer | Uint8Array | string);
  'role'?: (string);
  'version'?: (string);
  'httpAddresses'?: (string)[];
  'grpcAddresses'?: (string)[];
  'startedAtMs'?: (number | string | Long);
}

export interface NodeInfo__Output {
  'nodeId': (string);
  'publicKey': (Buffer);
  'role': (string);
  'version': (string);
  'httpAddresses': (string)[];
  'grpcAddresses': (string)[];
  'startedAtMs': (number);
}
