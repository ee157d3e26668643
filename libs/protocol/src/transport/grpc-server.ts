import { Server, status as Status } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import { PeerweaveError, silentLogger, type Logger, type Startable } from '@peerweave/core';
import { createCredentials, type ProtocolCredentials } from './credentials.ts';
import { FLOW_CONTROL_WINDOW_BYTES, serverOptions } from './grpc-options.ts';
import { InFlightCalls } from './in-flight-calls.ts';
import { limitConnectionsPerPeer } from './connection-limit.ts';
import { trackTlsConnections } from './caller-id.ts';
import { healthPackageDefinition } from '../proto-packages.ts';
import { announceStreamWindow, raiseConnectionWindows } from './server-flow-control.ts';
import type { ServiceBinding } from '../service-binding.ts';

/** How long `stop()` lets in-flight calls finish before cutting connections. */
export const DEFAULT_STOP_GRACE_MS = 5_000;

/** The health-check name of the server as a whole. */
export const OVERALL_HEALTH = '';

export interface GrpcServerInit {
  /** Interface to bind, e.g. `0.0.0.0` or `127.0.0.1` (NodeConfig.grpcHost). */
  host: string;
  /** Port to bind; 0 picks a free one, readable as `.port` after start (NodeConfig.grpcPort). */
  port: number;
  /** Largest message sent or accepted; larger ones fail with RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** Interval of keepalive pings on idle connections. */
  keepaliveMs: number;
  /** Defaults to {@link createCredentials}(). */
  credentials?: ProtocolCredentials;
  logger?: Logger;
  /**
   * Also serve gRPC server reflection (v1 and v1alpha: `grpcurl -plaintext host:port list`), for
   * an operator poking at a node (NodeConfig.grpcReflection). Off by default: peers never use it,
   * and it costs memory a node otherwise never spends (@grpc/reflection and its own protocol
   * files, loaded at start only when on). Default {@link DEFAULT_GRPC_REFLECTION}.
   */
  reflection?: boolean;
  /**
   * HTTP/2 streams one connection may have open at once (`grpc.max_concurrent_streams`, announced
   * in the server's SETTINGS): a peer beyond it waits for a stream to end (its HTTP/2 stack queues
   * the call) instead of making the server hold unbounded calls. Default
   * {@link DEFAULT_MAX_CONCURRENT_STREAMS}.
   */
  maxConcurrentStreams?: number;
  /**
   * Open connections from one remote IP address; a further one is closed at once, before the TLS
   * handshake (connection-limit.ts). 0: no limit. Default {@link DEFAULT_MAX_CONNECTIONS_PER_PEER}.
   */
  maxConnectionsPerPeer?: number;
}

/**
 * Streams per connection. A node keeps a handful open to each peer (PingStream, Calls, a GetBlocks
 * and a PutBlocks stream per transfer) besides its unary calls (lookups send α = 3 at once,
 * replication r per block); 256 is far above what a well-behaved peer uses and bounds what a
 * hostile one can make the server hold per connection (with maxConnectionsPerPeer, per address).
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 256;

/**
 * Connections per remote address. A node uses one to each peer (grpc-js shares it among its
 * channels to that address); a CLI or grpcurl a few. 64 leaves room for peers behind one NAT
 * address and for test processes that run many nodes on 127.0.0.1, and bounds the sockets and
 * handshakes one address can cost a node.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 64;

/** Server reflection is off unless asked for (GrpcServerInit.reflection). */
export const DEFAULT_GRPC_REFLECTION = false;

export interface GrpcStopOptions {
  /** How long in-flight calls may run before connections are cut; default DEFAULT_STOP_GRACE_MS. */
  graceMs?: number;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * The peer-protocol server: grpc-js with every option set explicitly, the standard health service,
 * server reflection when asked for, and the services added with {@link addService} before start.
 * Its connections announce the same FLOW_CONTROL_WINDOW_BYTES window as our clients, which grpc-js
 * does not do for a server by itself (server-flow-control.ts).
 */
export class GrpcServer implements Startable {
  readonly #init: GrpcServerInit;
  readonly #logger: Logger;
  readonly #server: Server;
  readonly #health = new HealthImplementation({ [OVERALL_HEALTH]: 'NOT_SERVING' });
  readonly #healthNames = new Set<string>([OVERALL_HEALTH]);
  readonly #bindings: ServiceBinding[] = [];
  readonly #inFlight = new InFlightCalls();
  #state: State = 'new';
  #port: number | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** False when grpc-js would not take the stream window (see server-flow-control.ts). */
  readonly #streamWindowSet: boolean;

  constructor(init: GrpcServerInit) {
    this.#init = init;
    this.#logger = (init.logger ?? silentLogger).child({ component: 'grpc-server' });
    this.#server = new Server({
      ...serverOptions(init),
      'grpc.max_concurrent_streams': init.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
      interceptors: [this.#inFlight.interceptor],
    });
    this.#streamWindowSet = announceStreamWindow(this.#server, FLOW_CONTROL_WINDOW_BYTES);
  }

  /** The bound port (the real one when init.port was 0). Only after start. */
  get port(): number {
    if (this.#port === undefined) throw new PeerweaveError('NOT_READY', 'GrpcServer has not started');
    return this.#port;
  }

  /** `host:port` a local client can dial (IPv6 hosts in brackets). Only after start. */
  get address(): string {
    return `${bracketHost(this.#init.host)}:${this.port}`;
  }

  /** Carries one more service; only before start. Its health status is NOT_SERVING until start. */
  addService(binding: ServiceBinding): void {
    if (this.#state !== 'new') {
      throw new PeerweaveError('FAILED_PRECONDITION', `addService(${binding.serviceName}) after start`);
    }
    if (this.#bindings.some((b) => b.serviceName === binding.serviceName)) {
      throw new PeerweaveError('ALREADY_EXISTS', `service ${binding.serviceName} added twice`);
    }
    this.#bindings.push(binding);
    binding.addToServer(this.#server, { logger: this.#logger });
    this.setServing(binding.serviceName, false);
  }

  /**
   * Sets what the health service reports for `service` ('' is the server as a whole), e.g. a
   * service waiting for its first peers. start() sets '' and every added service SERVING; stop()
   * sets everything NOT_SERVING.
   */
  setServing(service: string, serving: boolean): void {
    this.#healthNames.add(service);
    this.#health.setStatus(service, serving ? 'SERVING' : 'NOT_SERVING');
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new PeerweaveError('FAILED_PRECONDITION', 'GrpcServer can start only once');
    this.#state = 'starting';
    this.#starting = this.#bindAndServe();
    await this.#starting;
  }

  async #bindAndServe(): Promise<void> {
    this.#health.addToServer(this.#server);
    if (this.#init.reflection ?? DEFAULT_GRPC_REFLECTION) {
      // A CommonJS package: Node also gives its exports as named ones, a lazy chunk of the bundle
      // only as `default`.
      const loaded = await import('@grpc/reflection');
      const { ReflectionService } = ('default' in loaded ? loaded.default : loaded) as typeof loaded;
      new ReflectionService(this.#reflectedPackages()).addToServer(this.#server);
    }
    const protocolCredentials = this.#init.credentials ?? createCredentials();
    const credentials = protocolCredentials.server;
    const target = `${bracketHost(this.#init.host)}:${this.#init.port}`;
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(target, credentials, (err, port) => {
        if (err === null) resolve(port);
        else reject(new PeerweaveError('UNAVAILABLE', `cannot listen on ${target}: ${err.message}`, { cause: err }));
      });
    });
    const maxConnections = this.#init.maxConnectionsPerPeer ?? DEFAULT_MAX_CONNECTIONS_PER_PEER;
    // One warning a minute at most: a flood of refused connections must not become a flood of logs.
    let refused = 0;
    let warnedAt = -Infinity;
    const limited = limitConnectionsPerPeer(this.#server, maxConnections, (remote) => {
      refused++;
      if (Date.now() - warnedAt < 60_000) return;
      warnedAt = Date.now();
      this.#logger.warn({ remote, refused, maxConnectionsPerPeer: maxConnections }, 'connections refused: too many open from one address');
      refused = 0;
    });
    if (!limited) this.#logger.warn('grpc-js internals changed: connections per peer are not limited');
    if (protocolCredentials.secure && !trackTlsConnections(this.#server)) {
      this.#logger.warn('grpc-js internals changed: caller ids are read per call (slower)');
    }
    if (!raiseConnectionWindows(this.#server, FLOW_CONTROL_WINDOW_BYTES) || !this.#streamWindowSet) {
      this.#logger.warn(
        { windowBytes: FLOW_CONTROL_WINDOW_BYTES },
        'grpc-js internals changed: the server keeps the 64 KiB HTTP/2 flow-control window (uploads will be slow)',
      );
    }
    this.#state = 'started';
    this.setServing(OVERALL_HEALTH, true);
    for (const binding of this.#bindings) this.setServing(binding.serviceName, true);
    this.#logger.info({ address: this.address, services: this.#bindings.map((b) => b.serviceName) }, 'gRPC server listening');
  }

  #reflectedPackages(): PackageDefinition {
    const merged: PackageDefinition = { ...healthPackageDefinition() };
    for (const binding of this.#bindings) Object.assign(merged, binding.packageDefinition);
    return merged;
  }

  /**
   * Reports NOT_SERVING for everything first (so health checkers steer peers away) and drains the
   * long-lived streams (ServiceBinding.drain), then lets in-flight calls finish for up to `graceMs`
   * and cuts what is left. Idempotent.
   */
  stop(options: GrpcStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#shutdown(options.graceMs ?? DEFAULT_STOP_GRACE_MS);
    return this.#stopping;
  }

  async #shutdown(graceMs: number): Promise<void> {
    if (this.#starting !== undefined) await this.#starting.catch(() => {});
    this.#state = 'stopping';
    for (const name of this.#healthNames) this.#health.setStatus(name, 'NOT_SERVING');
    for (const binding of this.#bindings) binding.drain?.();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#logger.warn(
          { graceMs, calls: this.#inFlight.size },
          'gRPC calls still running after the grace period; cutting them',
        );
        // UNAVAILABLE: the caller may retry on another peer.
        this.#inFlight.endAll(Status.UNAVAILABLE, 'server shutting down');
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#state = 'stopped';
    this.#logger.info('gRPC server stopped');
  }
}

function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
