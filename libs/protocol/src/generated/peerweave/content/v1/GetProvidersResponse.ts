// Original file: proto/peerweave/content/v1/content.proto

import type { ProviderRecord as _peerweave_content_v1_ProviderRecord, ProviderRecord__Output as _peerweave_content_v1_ProviderRecord__Output } from '../../../peerweave/content/v1/ProviderRecord.ts';

export interface GetProvidersResponse {
  'providers'?: (_peerweave_content_v1_ProviderRecord)[];
}

export interface GetProvidersResponse__Output {
  'providers': (_peerweave_content_v1_ProviderRecord__Output)[];
}
