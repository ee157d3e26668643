/** What every service's serving and calling side share: the call context and the handler shape. */

export interface PeerCallContext {
  /**
   * Aborts when the caller cancels or its deadline passes. Read it as `context.signal` and pass it
   * on; do not spread the context: the in-memory network makes the signal lazily, in a getter.
   */
  readonly signal: AbortSignal;
  /**
   * Who called: the remote `host:port` over gRPC (call.getPeer()), the caller's address on the
   * in-memory network; for per-peer limits. Over gRPC it is the connection's source address and
   * port, not the caller's advertised peer address (an outgoing connection has an ephemeral port).
   */
  readonly peer: string;
  /**
   * The caller's node id as the connection proves it: over mutual TLS, the id its certificate's key
   * hashes to (the certificate chains to the cluster CA); on the in-memory network, the id its node
   * was registered with. Absent over plaintext (PEERWEAVE_INSECURE) and for memory nodes without an
   * id: the "speaks for itself" rules (assertSpeaksFor) apply only when it is present.
   */
  readonly callerId?: string;
}

/** A method table: the request and response of each method of a service (`Methods` itself). */
export type MethodTable<Methods> = { readonly [M in keyof Methods]: { request: unknown; response: unknown } };

/** How a node serves one method of `Methods`. */
export type MethodHandler<Methods extends MethodTable<Methods>, M extends keyof Methods> = (
  request: Methods[M]['request'],
  context: PeerCallContext,
) => Promise<Methods[M]['response']>;

/** The serving side of a service: one handler per method. */
export type ServiceHandler<Methods extends MethodTable<Methods>> = { [M in keyof Methods]: MethodHandler<Methods, M> };

export interface PeerCallOptions {
  signal?: AbortSignal;
  /** Deadline of this call; the transport's default applies when absent. */
  deadlineMs?: number;
  /**
   * The node id the caller means to reach at this address (SWIM's probes, lookups): when the
   * connection proves another id (mutual TLS, or the memory network with ids), the call fails with
   * PERMISSION_DENIED instead of talking to whoever holds the address now. Ignored over plaintext.
   */
  expectId?: string;
}
