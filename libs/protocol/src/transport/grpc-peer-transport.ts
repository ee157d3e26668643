import type { MethodDefinition } from '@grpc/proto-loader';
import { AbortError, InvalidArgumentError, PeerweaveError, systemClock, type Clock, type TimerHandle } from '@peerweave/core';
import type { BlockReader, BlockWriter } from '../block-streams/block-stream-messages.ts';
import { blockStreamDefinitions, type BlockStreamDefinitions } from '../block-streams/block-stream-methods.ts';
import { assertDeadlineMs, ClientChannel, type ClientInit } from './client-channel.ts';
import { DEFAULT_DEADLINE_MS } from './grpc-options.ts';
import { CONTENT_SERVICE, contentServiceDefinition } from '../content/content-service.ts';
import { GrpcBlockReader, type GrpcBlockStreamInit } from '../block-streams/grpc-block-reader.ts';
import { GrpcBlockWriter } from '../block-streams/grpc-block-writer.ts';
import { isPeerMethod, PEER_CODECS } from '../peer-codec.ts';
import { MAX_ADDRESS_LENGTH } from '../codec-support.ts';
import type { PeerCallOptions } from '../service-types.ts';
import type { ConnectionEvents, PeerMethod, PeerRequest, PeerResponse, PeerTransport } from '../peer-messages.ts';
import { ROUTING_SERVICE, routingServiceDefinition } from '../routing/routing-service.ts';
import { PingStreamClient } from '../routing/ping-stream.ts';
import { ContentCallClient } from '../content/call-stream.ts';
import { isContentMethod } from '../content/content-codec.ts';
import { SEARCH_SERVICE } from '../search/search-service.ts';
import { unaryCall } from './unary-call.ts';
import { wrongNode, wrongSender } from '../speaker-rules.ts';

/** The services a peer calls on another, over one channel. */
const PEER_SERVICES = [ROUTING_SERVICE, CONTENT_SERVICE, SEARCH_SERVICE] as const;

/**
 * How long a channel may go without a call before it is closed. Long enough that the peers of a
 * node's routing table (probed every few seconds) keep theirs; short enough that the addresses a
 * lookup touched once do not pile up.
 */
export const DEFAULT_IDLE_CHANNEL_MS = 5 * 60_000;

/** Settings of a GrpcPeerTransport; each defaults to its DEFAULT_* constant. */
export interface GrpcPeerTransportInit extends ClientInit {
  /** How long an unused channel is kept open (default DEFAULT_IDLE_CHANNEL_MS). */
  idleChannelMs?: number;
  /** Times idle eviction; defaults to the system clock. Call deadlines are real time (gRPC's). */
  clock?: Clock;
  /**
   * Pings go over a PingStream per address (default true); false sends each as a unary Ping call,
   * about four times the CPU at both ends (bench/probe-cost.ts compares the two).
   */
  pingStream?: boolean;
  /**
   * The content service's unary calls go over a Calls stream per address (default true); false
   * sends each as a unary call (bench/probe-cost.ts compares the two).
   */
  callStream?: boolean;
}

interface CachedChannel {
  readonly channel: ClientChannel;
  /** SWIM's probes to this address, opened on the first ping. */
  pings?: PingStreamClient;
  /** Content calls to this address, opened on the first one. */
  contentCalls?: ContentCallClient;
  /** Calls in flight and block streams open: a channel is never evicted under them. */
  calls: number;
  lastUsedAt: number;
}

type AnyMethodDefinition = MethodDefinition<unknown, unknown, unknown, unknown>;

/**
 * The peer protocol over gRPC: routing methods go to PeerService, content methods to
 * ContentService, search methods to SearchService, all over the same channel. One channel per
 * address, created on first use and reused by every later call (no connection setup per RPC, which
 * is where kad-dht spends its time; see docs/PERFORMANCE.md), closed after `idleChannelMs` without
 * calls, and all closed by {@link close}. Channel options, deadlines, cancellation and error mapping are those of every
 * other client of this lib (ClientChannel, unaryCall).
 *
 * Pings (SWIM's probes, the most frequent call) go over one PingStream per address instead
 * (PingStreamClient), and the content service's unary calls over one Calls stream per address
 * (ContentCallClient), each falling back to unary calls for peers that do not serve it.
 *
 * The block streams (`openBlockReader`, `openBlockWriter`: GetBlocks and PutBlocks) run over the
 * same channel, which counts an open stream as a call in flight so the idle sweep never closes it
 * under one; see GrpcBlockReader and GrpcBlockWriter.
 */
export class GrpcPeerTransport implements PeerTransport {
  readonly #init: ClientInit;
  readonly #idleChannelMs: number;
  readonly #clock: Clock;
  readonly #channels = new Map<string, CachedChannel>();
  readonly #methods: Readonly<Record<PeerMethod, AnyMethodDefinition>>;
  readonly #blockStreams: BlockStreamDefinitions;
  readonly #pingStream: AnyMethodDefinition | undefined;
  readonly #callStream: AnyMethodDefinition | undefined;
  readonly #connectionLost = new Set<(address: string) => void>();
  #sweepTimer: TimerHandle | undefined;
  #closed = false;

  constructor(init: GrpcPeerTransportInit = {}) {
    const { idleChannelMs, clock, pingStream, callStream, ...clientInit } = init;
    this.#init = clientInit;
    this.#idleChannelMs = idleChannelMs ?? DEFAULT_IDLE_CHANNEL_MS;
    if (!(Number.isFinite(this.#idleChannelMs) && this.#idleChannelMs > 0)) {
      throw new InvalidArgumentError(`idleChannelMs must be a positive number of milliseconds, got ${this.#idleChannelMs}`);
    }
    this.#clock = clock ?? systemClock;
    // Checked here rather than on the first call to some peer.
    assertDeadlineMs(clientInit.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS, 'defaultDeadlineMs');
    const methods = {} as Record<PeerMethod, AnyMethodDefinition>;
    for (const service of PEER_SERVICES) {
      const definition = service.definition() as unknown as Record<string, AnyMethodDefinition>;
      for (const [method, rpc] of Object.entries(service.rpcNames) as [PeerMethod, string][]) methods[method] = definition[rpc]!;
    }
    this.#methods = methods;
    this.#pingStream = pingStream === false ? undefined : (routingServiceDefinition() as unknown as Record<string, AnyMethodDefinition>).PingStream!;
    this.#blockStreams = blockStreamDefinitions(contentServiceDefinition());
    this.#callStream = callStream === false ? undefined : (contentServiceDefinition() as unknown as Record<string, AnyMethodDefinition>).Calls!;
  }

  /** See {@link ConnectionEvents}: a channel's connection, once up, was lost (ClientChannel.onConnectionLost). */
  onConnectionLost(listener: Parameters<NonNullable<ConnectionEvents['onConnectionLost']>>[0]): () => void {
    this.#connectionLost.add(listener);
    return () => this.#connectionLost.delete(listener);
  }

  /** Number of open channels (one per address called recently). */
  get channelCount(): number {
    return this.#channels.size;
  }

  async request<M extends PeerMethod>(
    address: string,
    method: M,
    request: PeerRequest<M>,
    options: PeerCallOptions = {},
  ): Promise<PeerResponse<M>> {
    if (this.#closed) throw new AbortError('peer transport closed');
    if (!isPeerMethod(method)) throw new InvalidArgumentError(`unknown peer method ${JSON.stringify(method)}`);
    const codec = PEER_CODECS[method];
    const message = codec.encodeRequest(request);
    const entry = this.#channelFor(address);
    // Over mutual TLS the channel knows whom it reached: refuse before sending when its open
    // connection is not to whom the caller means, and refuse the answer if the connection was
    // (re)made meanwhile.
    if (entry.channel.connected) this.#checkPeer(entry.channel, address, options.expectId);
    entry.calls++;
    let answer: unknown;
    try {
      if (method === 'ping' && this.#pingStream !== undefined) {
        entry.pings ??= new PingStreamClient(entry.channel, { stream: this.#pingStream, unary: this.#methods.ping });
        answer = await entry.pings.ping(message as Parameters<PingStreamClient['ping']>[0], options);
      } else if (this.#callStream !== undefined && isContentMethod(method)) {
        entry.contentCalls ??= new ContentCallClient(entry.channel, this.#callStream, this.#methods);
        answer = await entry.contentCalls.call({ method, message }, options);
      } else {
        answer = await unaryCall(entry.channel, this.#methods[method], message, options);
      }
    } finally {
      entry.calls--;
      entry.lastUsedAt = this.#clock.now();
    }
    this.#checkPeer(entry.channel, address, options.expectId);
    let response: PeerResponse<M>;
    try {
      response = codec.decodeResponse(answer as Parameters<typeof codec.decodeResponse>[0]);
    } catch (err) {
      if (!(err instanceof PeerweaveError)) throw err;
      throw new InvalidArgumentError(`invalid ${method} response from ${address}: ${err.message}`, {
        cause: err,
        details: err.details,
      });
    }
    const verified = entry.channel.verifiedId;
    const sender = (response as { sender?: { id?: unknown } }).sender?.id;
    if (verified !== undefined && sender !== undefined && sender !== verified) throw wrongSender(method, sender, verified);
    return response;
  }

  #checkPeer(channel: ClientChannel, address: string, expectId: string | undefined): void {
    const verified = channel.verifiedId;
    if (expectId !== undefined && verified !== undefined && verified !== expectId) throw wrongNode(expectId, verified, address);
  }

  /**
   * A GetBlocks stream to `address` (GrpcBlockReader). Never throws: when the stream cannot be
   * opened (transport closed, bad address) the reader is closed and its gets reject with why.
   */
  openBlockReader(address: string, options: { signal?: AbortSignal } = {}): BlockReader {
    const init = this.#streamInit(address, options.signal);
    return init instanceof PeerweaveError ? GrpcBlockReader.failed(init) : new GrpcBlockReader(init);
  }

  /** A PutBlocks stream to `address` (GrpcBlockWriter); like {@link openBlockReader}, never throws. */
  openBlockWriter(address: string, options: { signal?: AbortSignal } = {}): BlockWriter {
    const init = this.#streamInit(address, options.signal);
    return init instanceof PeerweaveError ? GrpcBlockWriter.failed(init) : new GrpcBlockWriter(init);
  }

  #streamInit(address: string, signal: AbortSignal | undefined): GrpcBlockStreamInit | PeerweaveError {
    if (this.#closed) return new AbortError('peer transport closed');
    let entry: CachedChannel;
    try {
      entry = this.#channelFor(address);
    } catch (err) {
      return err instanceof PeerweaveError ? err : new InvalidArgumentError(String(err), { cause: err });
    }
    entry.calls++;
    let open = true;
    return {
      address,
      channel: entry.channel,
      methods: this.#blockStreams,
      signal,
      onClosed: () => {
        if (!open) return;
        open = false;
        entry.calls--;
        entry.lastUsedAt = this.#clock.now();
      },
    };
  }

  /**
   * See {@link ConnectionControl}: closes the channel to `address` (its calls in flight reject with
   * ABORTED, its block streams close); the next call to it opens a new channel and connection.
   */
  disconnect(address: string): void {
    const entry = this.#channels.get(address);
    if (entry === undefined) return;
    this.#channels.delete(address);
    entry.channel.close();
  }

  /** See {@link ConnectionControl}: closes the channel to `address` if it has no call in flight and no block stream open. */
  resetIfIdle(address: string): boolean {
    const entry = this.#channels.get(address);
    if (entry === undefined || entry.calls > 0) return false;
    this.disconnect(address);
    return true;
  }

  /** See {@link ConnectionControl}: whether the channel to `address` has its connection up (READY). */
  connected(address: string): boolean {
    return this.#channels.get(address)?.channel.connected ?? false;
  }

  /** Closes every channel; calls in flight reject with ABORTED, and so do later calls. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#connectionLost.clear();
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (const entry of this.#channels.values()) entry.channel.close();
    this.#channels.clear();
  }

  #channelFor(address: string): CachedChannel {
    let entry = this.#channels.get(address);
    if (entry === undefined) {
      if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
        throw new InvalidArgumentError(`a peer address has 1 to ${MAX_ADDRESS_LENGTH} characters, got ${JSON.stringify(String(address).slice(0, 80))}`);
      }
      let channel: ClientChannel;
      try {
        channel = new ClientChannel(address, this.#init);
      } catch (err) {
        // grpc-js refuses some targets synchronously ("Could not parse target name").
        throw new InvalidArgumentError(`cannot dial ${JSON.stringify(address)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      entry = { channel, calls: 0, lastUsedAt: this.#clock.now() };
      this.#channels.set(address, entry);
      channel.onConnectionLost(() => {
        for (const listener of this.#connectionLost) {
          try {
            listener(address);
          } catch {
            // A listener's failure is its own; grpc-js's watcher must not see it.
          }
        }
      });
      this.#armSweep();
    }
    return entry;
  }

  /**
   * One timer for all channels, running only while there are some. A channel is closed between
   * idleChannelMs and 1.5 × idleChannelMs after its last call ended.
   */
  #armSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed) return;
    this.#sweepTimer = this.#clock.setTimeout(() => this.#sweep(), this.#idleChannelMs / 2);
  }

  #sweep(): void {
    this.#sweepTimer = undefined;
    const idleSince = this.#clock.now() - this.#idleChannelMs;
    for (const [address, entry] of this.#channels) {
      if (entry.calls === 0 && entry.lastUsedAt <= idleSince) {
        entry.channel.close();
        this.#channels.delete(address);
      }
    }
    if (this.#channels.size > 0) this.#armSweep();
  }
}
