// Original file: proto/peerweave/node/v1/node.proto


export interface GetInfoRequest {
}

export interface GetInfoRequest__Output {
}
