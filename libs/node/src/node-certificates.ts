import { readFile } from 'node:fs/promises';
import { ConfigError, isPeerweaveError, silentLogger, systemClock, type Clock, type Logger, type Metrics, type Startable, type TimerHandle } from '@peerweave/core';
import { NODE_CONFIG, admissionMode, type AdmissionMode, type NodeConfig } from '@peerweave/config';
import { issueNodeCertificate, privateKeyPem, verifyNodeCertificate, type CertificateTriple, type Identity } from '@peerweave/identity';

export type { CertificateTriple, AdmissionMode };

/** A self-issued certificate is renewed when this fraction of its validity has passed. */
export const RENEW_AT_FRACTION = 2 / 3;
/** After a failed renewal (a CA file being replaced, say), the next try comes this much later. */
export const RENEW_RETRY_MS = 60_000;
/** Certificate times have whole seconds: a notAfter this much short of the validity is rounding. */
const CERT_TIME_SLACK_MS = 2_000;

export interface NodeCertificatesInit {
  identity: Identity;
  config: Pick<NodeConfig, 'clusterCa' | 'clusterCaKey' | 'tlsCert' | 'certValidityMs'>;
  clock?: Clock;
  logger?: Logger;
  /** Registers peerweave_certificate_expiry_timestamp_seconds when the node has a certificate. */
  metrics?: Metrics;
}

/**
 * The node's TLS certificate for the cluster (issue #15). In self-issue mode it issues itself a
 * certificate for its own Ed25519 key at start and renews it at 2/3 of its validity, re-reading the
 * CA files each time (so a CA replaced on disk, e.g. an updated Kubernetes Secret, is picked up).
 * In out-of-band mode it loads the certificate, refuses to start unless it is valid, issued by the
 * CA and for this node's key, and re-reads the file as expiry nears, warning until a new one is
 * there. `current()` is what TLS presents; `onRenewed` listeners hear of every new certificate.
 * With neither configured it holds nothing and the node speaks plaintext.
 */
export class NodeCertificates implements Startable {
  readonly mode: AdmissionMode;
  readonly #identity: Identity;
  readonly #config: NodeCertificatesInit['config'];
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listeners = new Set<(triple: CertificateTriple) => void>();
  #current: CertificateTriple | undefined;
  #notAfterMs = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(init: NodeCertificatesInit) {
    this.mode = admissionMode(init.config);
    this.#identity = init.identity;
    this.#config = init.config;
    this.#clock = init.clock ?? systemClock;
    this.#log = (init.logger ?? silentLogger).child({ component: 'certificates' });
    if (this.mode !== 'none') {
      // As cert-manager's certmanager_certificate_expiration_timestamp_seconds: alert on
      // `… - time() < 3600` (a self-issuing node renews at 2/3, so that means renewals failed).
      init.metrics?.gauge({
        name: 'peerweave_certificate_expiry_timestamp_seconds',
        help: "When this node's cluster certificate expires (Unix seconds); 0 before it has one.",
        collect: () => this.#notAfterMs / 1000,
      });
    }
  }

  /** Whether the node has a certificate (self-issued or out of band). */
  get enabled(): boolean {
    return this.mode !== 'none';
  }

  /** The CA bundle, this node's certificate and key; undefined in mode `none` or before start. */
  current(): CertificateTriple | undefined {
    return this.#current;
  }

  /** When the current certificate expires (ms, the clock's time); 0 without one. */
  get notAfterMs(): number {
    return this.#notAfterMs;
  }

  /** Calls `listener` with every renewed certificate; returns a function that removes it. */
  onRenewed(listener: (triple: CertificateTriple) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.mode === 'none') {
      this.#log.info('no cluster CA configured: peer connections are not authenticated');
      return;
    }
    if (this.mode === 'self-issue') {
      await this.#issue();
    } else {
      const triple = await this.#loadOutOfBand();
      const { notAfter } = await this.#checkOwn(triple, this.#config.tlsCert, NODE_CONFIG.tlsCert.env);
      this.#adopt(triple, notAfter.getTime(), 'loaded');
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #issue(): Promise<void> {
    const caEnv = NODE_CONFIG.clusterCa.env;
    const keyEnv = NODE_CONFIG.clusterCaKey.env;
    const caPem = await readConfigFile(this.#config.clusterCa, caEnv);
    const caKeyPem = await readConfigFile(this.#config.clusterCaKey, keyEnv);
    const nowMs = this.#clock.now();
    let certPem: string;
    try {
      certPem = await issueNodeCertificate({ certPem: caPem, keyPem: caKeyPem }, this.#identity, { validityMs: this.#config.certValidityMs, now: new Date(nowMs) });
    } catch (err) {
      if (!isPeerweaveError(err)) throw err;
      throw new ConfigError(`cannot issue the node certificate with ${caEnv}=${this.#config.clusterCa} and ${keyEnv}=${this.#config.clusterCaKey}: ${err.message}`, {
        cause: err,
        details: { variable: keyEnv },
      });
    }
    const triple = { caPem, certPem, keyPem: privateKeyPem(this.#identity) };
    // Issued just now by the key that matches the CA: a check that fails is a bug, not a config.
    const { notAfter } = await verifyNodeCertificate(caPem, certPem, new Date(nowMs));
    this.#adopt(triple, notAfter.getTime(), 'issued');
  }

  #adopt(triple: CertificateTriple, notAfterMs: number, how: 'issued' | 'loaded'): void {
    const renewal = this.#current !== undefined;
    this.#current = triple;
    this.#notAfterMs = notAfterMs;
    const nowMs = this.#clock.now();
    this.#log.info(
      { mode: this.mode, notAfter: new Date(notAfterMs).toISOString(), validForMs: notAfterMs - nowMs },
      renewal ? `node certificate renewed (${how})` : `node certificate ${how}`,
    );
    if (this.mode === 'self-issue') {
      // 2/3 of the certificate's actual life: the CA's own end may cut it short (then renewals come
      // sooner and sooner until the CA expires, and fail from then on, logged, every RENEW_RETRY_MS).
      if (notAfterMs - nowMs < this.#config.certValidityMs - CERT_TIME_SLACK_MS) {
        this.#log.warn({ notAfter: new Date(notAfterMs).toISOString() }, 'the cluster CA expires before a full certificate validity: make a new CA and rotate (README: Admission and the cluster CA)');
      }
      this.#schedule(Math.max(1000, Math.floor((notAfterMs - nowMs) * RENEW_AT_FRACTION)));
    } else {
      this.#scheduleCheck();
    }
    if (renewal) {
      for (const listener of this.#listeners) {
        try {
          listener(triple);
        } catch (err) {
          this.#log.error({ err: (err as Error).message }, 'a certificate listener failed');
        }
      }
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#renew();
    }, delayMs);
  }

  /** Out of band: look again at 2/3 of the remaining time, at least every RENEW_RETRY_MS near the end. */
  #scheduleCheck(): void {
    const remaining = this.#notAfterMs - this.#clock.now();
    this.#schedule(Math.max(RENEW_RETRY_MS, remaining * RENEW_AT_FRACTION));
  }

  async #renew(): Promise<void> {
    if (this.#stopped) return;
    if (this.mode === 'self-issue') {
      try {
        await this.#issue();
      } catch (err) {
        this.#log.error({ err: (err as Error).message, notAfter: new Date(this.#notAfterMs).toISOString(), retryInMs: RENEW_RETRY_MS }, 'renewing the node certificate failed; keeping the current one');
        this.#schedule(RENEW_RETRY_MS);
      }
      return;
    }
    // Out of band: a new certificate may have been put in place of the old one.
    try {
      const triple = await this.#loadOutOfBand();
      if (triple.certPem !== this.#current?.certPem || triple.caPem !== this.#current.caPem) {
        const { notAfter } = await this.#checkOwn(triple, this.#config.tlsCert, NODE_CONFIG.tlsCert.env);
        if (notAfter.getTime() > this.#notAfterMs) {
          this.#adopt(triple, notAfter.getTime(), 'loaded');
          return;
        }
      }
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, `reloading ${NODE_CONFIG.tlsCert.env} failed`);
    }
    const remaining = this.#notAfterMs - this.#clock.now();
    this.#log.warn(
      { notAfter: new Date(this.#notAfterMs).toISOString(), remainingMs: remaining },
      remaining > 0
        ? `the node certificate expires soon: issue a new one (peerweave cluster ca issue) into ${this.#config.tlsCert}`
        : `the node certificate has expired: peers refuse this node until a new one is in ${this.#config.tlsCert}`,
    );
    this.#scheduleCheck();
  }

  async #loadOutOfBand(): Promise<CertificateTriple> {
    const caPem = await readConfigFile(this.#config.clusterCa, NODE_CONFIG.clusterCa.env);
    const certPem = await readConfigFile(this.#config.tlsCert, NODE_CONFIG.tlsCert.env);
    return { caPem, certPem, keyPem: privateKeyPem(this.#identity) };
  }

  /** Valid now, issued by the CA, and for this node's own key; a ConfigError naming `env` otherwise. */
  async #checkOwn(triple: CertificateTriple, path: string, env: string): Promise<{ notAfter: Date }> {
    let checked;
    try {
      checked = await verifyNodeCertificate(triple.caPem, triple.certPem, new Date(this.#clock.now()));
    } catch (err) {
      if (!isPeerweaveError(err)) throw err;
      throw new ConfigError(`${env}=${path} is not usable with ${NODE_CONFIG.clusterCa.env}=${this.#config.clusterCa}: ${err.message} (${err.code})`, { cause: err, details: { variable: env } });
    }
    if (!checked.nodeId.equals(this.#identity.id)) {
      throw new ConfigError(
        `${env}=${path} is for node ${checked.nodeId.toHex()}, but this node's key (in its data directory) is node ${this.#identity.id.toHex()}: issue a certificate for this node's key`,
        { details: { variable: env } },
      );
    }
    return { notAfter: checked.notAfter };
  }
}

async function readConfigFile(path: string, env: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${env}=${path} cannot be read (${code}): mount the file or unset ${env}`, { cause: err, details: { variable: env } });
  }
}
