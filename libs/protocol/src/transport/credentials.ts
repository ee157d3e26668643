/**
 * The single place where transport security of the peer protocol is made: plaintext, or mutual TLS
 * with certificates chaining to the cluster CA, whose subject key is the node's Ed25519 key (so the
 * TLS identity *is* the node id, SHA-256 of that key).
 *
 * Why grpc-js's certificate-provider API (`experimental.createCertificateProvider*Credentials`)
 * rather than `ServerCredentials.createSsl` / `credentials.createSsl`: node certificates are short-
 * lived and renewed while the node runs. With the provider, a renewal reaches the listening server
 * (grpc-js calls `setSecureContext` on it) and every later connection of every channel (each
 * connection builds its secure context from the provider's latest update), with no restart and no
 * channel rebuilt. One provider object serves as both the CA and the identity provider: grpc-js
 * 1.14's `createCertificateProviderServerCredentials(ca, identity, …)` hands the two to its
 * constructor in the other order, which a single object makes harmless.
 *
 * Nodes dial IP:port, so the channel's hostname check is replaced: `checkServerIdentity` accepts a
 * server certificate (already verified against the cluster CA by TLS) when its key is an Ed25519
 * key, and reports the node id it proves to the channel (ClientChannel.verifiedId); callers that
 * know whom they dial compare it (PeerCallOptions.expectId). The server requires a client
 * certificate chaining to the CA; each handler reads the caller's verified id (caller-id.ts).
 */
import { credentials, experimental, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { InvalidArgumentError } from '@peerweave/core';
import { nodeIdOfPeerCertificate } from './caller-id.ts';

/** What TLS needs to present this node and check its peers (all PEM). */
export interface TlsMaterial {
  /** The cluster CA certificate(s): one PEM block, or several while the CA is rotated. */
  readonly caPem: string;
  /** This node's certificate, issued by the cluster CA for its Ed25519 key. */
  readonly certPem: string;
  /** This node's Ed25519 private key, PKCS#8. */
  readonly keyPem: string;
}

/** Plaintext on both ends: only behind PEERWEAVE_INSECURE=true (and in tests of the old behaviour). */
export interface InsecureCredentialsInit {
  readonly insecure: true;
}

/** Mutual TLS with the cluster CA. */
export interface TlsCredentialsInit {
  readonly tls: TlsMaterial;
  /**
   * Subscribes to renewals of `tls` (NodeCertificates.onRenewed): each one is presented by the
   * server and every new connection from then on. Returns how to unsubscribe, or nothing.
   */
  readonly onRenewed?: (listener: (material: TlsMaterial) => void) => (() => void) | void;
}

export type CredentialsInit = InsecureCredentialsInit | TlsCredentialsInit;

/**
 * Transport security of both ends of the peer protocol; make it with {@link createCredentials}.
 * `channel` serves a client that does not need to learn the server's id (the health client);
 * ClientChannel calls {@link channelFor} to learn it.
 */
export interface ProtocolCredentials {
  /** True for mutual TLS. */
  readonly secure: boolean;
  readonly server: ServerCredentials;
  readonly channel: ChannelCredentials;
  /**
   * Channel credentials that report the node id each handshake proved (`onVerified`), for one
   * channel; plaintext credentials report nothing.
   */
  channelFor(onVerified: (nodeId: string) => void): ChannelCredentials;
  /** Stops following renewals (the onRenewed subscription). Idempotent. */
  close(): void;
}

/**
 * The TLS server name every channel sends and checks against: a fixed name, because nodes dial
 * IP addresses (Node warns when an IP address is sent as SNI) and the name is not what is checked.
 */
export const TLS_SERVER_NAME = 'peerweave-node';

/**
 * Plaintext by default (`{ insecure: true }` says so explicitly); mutual TLS with `{ tls }`. A
 * `tls` whose parts are not PEM text is refused here with INVALID_ARGUMENT, not at the first
 * handshake.
 */
export function createCredentials(init: CredentialsInit = { insecure: true }): ProtocolCredentials {
  if ('tls' in init) return tlsCredentials(init);
  const channel = credentials.createInsecure();
  return {
    secure: false,
    server: ServerCredentials.createInsecure(),
    channel,
    channelFor: () => channel,
    close: () => {},
  };
}

function tlsCredentials(init: TlsCredentialsInit): ProtocolCredentials {
  const provider = new TlsMaterialProvider(checkedMaterial(init.tls));
  const unsubscribe = init.onRenewed?.((material) => provider.update(checkedMaterial(material)));
  let closed = false;
  const channelFor = (onVerified: (nodeId: string) => void): ChannelCredentials =>
    experimental.createCertificateProviderChannelCredentials(provider, provider, {
      checkServerIdentity: (_host: string, cert: PeerCertificate): Error | undefined => {
        try {
          onVerified(nodeIdOfPeerCertificate(cert));
          return undefined;
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      },
    });
  return {
    secure: true,
    server: experimental.createCertificateProviderServerCredentials(provider, provider, true),
    channel: channelFor(() => {}),
    channelFor,
    close: () => {
      if (closed) return;
      closed = true;
      if (typeof unsubscribe === 'function') unsubscribe();
    },
  };
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----[\s\S]+?-----END [A-Z0-9 ]+-----/;

function checkedMaterial(material: TlsMaterial): TlsMaterial {
  for (const part of ['caPem', 'certPem', 'keyPem'] as const) {
    const value = (material as Partial<TlsMaterial> | undefined)?.[part];
    if (typeof value !== 'string' || !PEM.test(value)) {
      throw new InvalidArgumentError(`tls.${part} must be PEM text`, { details: { field: part } });
    }
  }
  return material;
}

/**
 * Adds `listener` and gives it the latest at once (a channel connects with it right away) and once
 * more on the next microtask: grpc-js's server credentials register their watcher only after
 * adding these listeners, so an update given at once reaches the credentials but not the listening
 * server, which would then drop every connection as "credentials not loaded".
 */
function deliver<T>(listeners: Set<(update: T) => void>, listener: (update: T) => void, latest: () => T): void {
  listeners.add(listener);
  listener(latest());
  queueMicrotask(() => {
    if (listeners.has(listener)) listener(latest());
  });
}

type CaListener = Parameters<experimental.CertificateProvider['addCaCertificateListener']>[0];
type IdentityListener = Parameters<experimental.CertificateProvider['addIdentityCertificateListener']>[0];

/**
 * The node's current TLS material as grpc-js's certificate provider: a listener gets the latest at
 * once and every update after (grpc-js adds its listeners when a server binds or a channel first
 * connects, and removes them when done).
 */
class TlsMaterialProvider implements experimental.CertificateProvider {
  readonly #ca = new Set<CaListener>();
  readonly #identity = new Set<IdentityListener>();
  #caUpdate!: { caCertificate: Buffer };
  #identityUpdate!: { certificate: Buffer; privateKey: Buffer };

  constructor(material: TlsMaterial) {
    this.#set(material);
  }

  update(material: TlsMaterial): void {
    this.#set(material);
    for (const listener of this.#ca) listener(this.#caUpdate);
    for (const listener of this.#identity) listener(this.#identityUpdate);
  }

  #set(material: TlsMaterial): void {
    this.#caUpdate = { caCertificate: Buffer.from(material.caPem) };
    this.#identityUpdate = { certificate: Buffer.from(material.certPem), privateKey: Buffer.from(material.keyPem) };
  }

  addCaCertificateListener(listener: CaListener): void {
    deliver(this.#ca, listener, () => this.#caUpdate);
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    deliver(this.#identity, listener, () => this.#identityUpdate);
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener);
  }
}
