import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** Transport security of both ends of the peer protocol; make it with {@link createCredentials}. */
export interface ProtocolCredentials {
  readonly server: ServerCredentials;
  readonly channel: ChannelCredentials;
}

/** Nothing to set yet: the node key (and the trust policy for peers' keys) will go here for mTLS. */
export type CredentialsInit = Record<never, never>;

/**
 * The single place where transport security of the peer protocol is made. Today it is plaintext
 * (insecure) on both ends. mTLS with the node key plugs in here: the server will present a
 * certificate for the node key and require one from callers, the channel will check that the peer
 * it reached proves the node id it dialled. Every GrpcServer and client takes its credentials from
 * this function, so that change touches nothing else.
 */
export function createCredentials(_init: CredentialsInit = {}): ProtocolCredentials {
  return {
    server: ServerCredentials.createInsecure(),
    channel: credentials.createInsecure(),
  };
}
