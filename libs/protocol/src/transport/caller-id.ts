/**
 * The node id a TLS peer proves: SHA-256 of the raw Ed25519 public key in its certificate (the
 * same as @peerweave/identity's nodeIdFromPublicKey; this lib sits beside identity and cannot
 * import it). TLS has already checked the certificate against the cluster CA and the peer's
 * possession of the key; this only reads the key.
 *
 * Cached by the certificate's SHA-256 fingerprint, which Node computes with every
 * `getPeerCertificate()` anyway: parsing the DER and hashing the key costs about 20 µs, a lookup
 * well under 1 µs (bench: `node libs/protocol/src/transport/caller-id.bench.ts`). A node sees one
 * certificate per peer and renewal, so a bounded map that starts over when full is enough.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Server } from '@grpc/grpc-js';
import { PeerweaveError } from '@peerweave/core';

/** Certificates remembered; the map starts over beyond this (a peer per entry, renewals included). */
export const CALLER_ID_CACHE_SIZE = 4096;

const cache = new Map<string, string>();

/**
 * The node id of a verified peer certificate. Throws UNAUTHENTICATED when the certificate has no
 * Ed25519 key (a CA that issued it made a mistake; no id can be bound to it).
 */
export function nodeIdOfPeerCertificate(cert: Pick<PeerCertificate, 'raw' | 'fingerprint256'>): string {
  const key = cert.fingerprint256;
  const known = key === undefined ? undefined : cache.get(key);
  if (known !== undefined) return known;
  const id = nodeIdOfCertificateDer(cert.raw);
  if (key !== undefined) {
    if (cache.size >= CALLER_ID_CACHE_SIZE) cache.clear();
    cache.set(key, id);
  }
  return id;
}

/** The node id of a DER certificate, uncached. Throws UNAUTHENTICATED unless its key is Ed25519. */
export function nodeIdOfCertificateDer(der: Buffer): string {
  let jwk: { x?: string };
  try {
    const publicKey = new X509Certificate(der).publicKey;
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`a ${publicKey.asymmetricKeyType} key`);
    jwk = publicKey.export({ format: 'jwk' });
  } catch (err) {
    throw new PeerweaveError('UNAUTHENTICATED', `the peer's certificate names no node: ${err instanceof Error ? err.message : String(err)}`);
  }
  return createHash('sha256').update(Buffer.from(jwk.x!, 'base64url')).digest('hex');
}

/** What {@link callerIdOf} reads of a grpc-js server call. */
export interface AuthenticatedCall {
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate } | null;
  /** `remoteAddress:remotePort` of the call's connection (grpc-js builds it from the socket). */
  getPeer(): string;
}

/**
 * Verified ids of the open TLS connections of the servers that {@link trackTlsConnections}, by
 * `remoteAddress:remotePort` (what `call.getPeer()` gives): read once per connection, when its
 * handshake completes, instead of once per call. The key names one live connection on this host
 * (a client's ephemeral port belongs to one socket), and the entry leaves with its socket.
 */
const connectionIds = new Map<string, { readonly socket: TLSSocket; readonly id: string }>();

interface ServerInternals {
  http2Servers?: Map<{ on(event: 'secureConnection', listener: (socket: TLSSocket) => void): unknown }, unknown>;
}

/**
 * After `bindAsync` of a TLS server: remembers each connection's verified id as its handshake
 * completes, so {@link callerIdOf} finds it without `getAuthContext()` (which asks Node for the
 * whole peer certificate on every call: about 40 µs of a 1 KiB call here). Like
 * server-flow-control.ts, reaches into grpc-js's Server; returns false when its internals are not
 * as expected, and calls then take the slower path, with the same answers.
 */
export function trackTlsConnections(server: Server): boolean {
  const servers = (server as unknown as ServerInternals).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) return false;
  for (const http2Server of servers.keys()) {
    http2Server.on('secureConnection', (socket: TLSSocket) => {
      if (!socket.authorized) return;
      let id: string;
      try {
        id = nodeIdOfPeerCertificate(socket.getPeerCertificate());
      } catch {
        return; // The call path refuses it (UNAUTHENTICATED).
      }
      const key = `${socket.remoteAddress}:${socket.remotePort}`;
      const entry = { socket, id };
      connectionIds.set(key, entry);
      socket.once('close', () => {
        if (connectionIds.get(key) === entry) connectionIds.delete(key);
      });
    });
  }
  return true;
}

/** Connections whose ids are remembered (for tests). */
export function trackedConnections(): number {
  return connectionIds.size;
}

/**
 * The verified node id of a server call's caller: undefined on a plaintext connection. Throws
 * UNAUTHENTICATED for a TLS connection whose certificate names no node (never for a plaintext
 * one, where there is nothing to check).
 */
export function callerIdOf(call: AuthenticatedCall): string | undefined {
  if (connectionIds.size > 0) {
    const known = connectionIds.get(call.getPeer());
    if (known !== undefined && !known.socket.destroyed) return known.id;
  }
  const auth = call.getAuthContext();
  if (auth?.transportSecurityType !== 'ssl') return undefined;
  const cert = auth.sslPeerCertificate;
  if (cert === undefined) throw new PeerweaveError('UNAUTHENTICATED', 'a TLS caller without a certificate');
  return nodeIdOfPeerCertificate(cert);
}
