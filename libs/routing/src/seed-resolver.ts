import { lookup as dnsLookup } from 'node:dns/promises';
import type { Logger } from '@peerweave/core';

/** Resolves a DNS name to every A and AAAA record (Compose service names resolve to all replicas). */
export type ResolveAll = (name: string) => Promise<string[]>;

export const systemResolveAll: ResolveAll = async (name) =>
  (await dnsLookup(name, { all: true, verbatim: true })).map((a) => a.address);

export interface SeedResolverInit {
  /** `host:port` addresses given explicitly (PEERWEAVE_SEEDS). */
  seeds: readonly string[];
  /** A DNS name (optionally `name:port`) whose every address is a candidate (PEERWEAVE_JOIN). */
  join: string;
  /** Port used for DNS results when `join` names none: the peer protocol's port. */
  defaultPort: number;
  resolveAll?: ResolveAll;
  logger: Logger;
}

/** Splits `host:port`, `[v6]:port` or a bare host. */
export function splitHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : defaultPort };
  const parts = value.split(':');
  if (parts.length === 2) return { host: parts[0]!, port: Number(parts[1]) };
  if (parts.length > 2) return { host: value, port: defaultPort }; // bare IPv6
  return { host: value, port: defaultPort };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Candidate addresses to join through: the explicit seeds plus every address the join name
 * resolves to now. Resolution is repeated by the caller on every join attempt, so peers that start
 * later are found. A failing name is logged once per change of outcome, not once per attempt.
 */
export class SeedResolver {
  readonly #init: SeedResolverInit;
  readonly #resolveAll: ResolveAll;
  #lastOutcome = '';

  constructor(init: SeedResolverInit) {
    this.#init = init;
    this.#resolveAll = init.resolveAll ?? systemResolveAll;
  }

  get configured(): boolean {
    return this.#init.seeds.length > 0 || this.#init.join !== '';
  }

  async candidates(): Promise<string[]> {
    const out = new Set(this.#init.seeds);
    if (this.#init.join !== '') {
      const { host, port } = splitHostPort(this.#init.join, this.#init.defaultPort);
      let outcome: string;
      try {
        const addresses = await this.#resolveAll(host);
        for (const a of addresses) out.add(joinHostPort(a, port));
        outcome = `resolved ${addresses.length}`;
        if (outcome !== this.#lastOutcome) {
          this.#init.logger.info({ join: host, addresses: addresses.length }, 'join name resolved');
        }
      } catch (err) {
        outcome = `error ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        if (outcome !== this.#lastOutcome) {
          this.#init.logger.warn({ join: host, err: (err as Error).message }, 'join name does not resolve; retrying with back-off');
        }
      }
      this.#lastOutcome = outcome;
    }
    return [...out];
  }
}
