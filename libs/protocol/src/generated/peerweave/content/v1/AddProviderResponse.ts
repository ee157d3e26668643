// Original file: proto/peerweave/content/v1/content.proto


export interface AddProviderResponse {
  'accepted'?: (number);
}

export interface AddProviderResponse__Output {
  'accepted': (number);
}
