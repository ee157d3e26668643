// Original file: proto/peerweave/search/v1/search.proto

export const SearchMode = {
  SEARCH_MODE_UNSPECIFIED: 'SEARCH_MODE_UNSPECIFIED',
  SEARCH_MODE_FLOOD: 'SEARCH_MODE_FLOOD',
  SEARCH_MODE_SUPERNODE: 'SEARCH_MODE_SUPERNODE',
} as const;

export type SearchMode =
  | 'SEARCH_MODE_UNSPECIFIED'
  | 0
  | 'SEARCH_MODE_FLOOD'
  | 1
  | 'SEARCH_MODE_SUPERNODE'
  | 2

export type SearchMode__Output = typeof SearchMode[keyof typeof SearchMode]
