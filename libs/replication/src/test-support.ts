// Small fakes for the unit specs of this lib's components (not exported: the in-process cluster
// for other libs is `./testing`).
import { generateKeyPairSync, sign as edSign } from 'node:crypto';
import { PeerweaveError, type Counter, type Gauge, type Histogram, type Labels, type Metrics } from '@peerweave/core';
import type { PeerContact, PeerTransport } from '@peerweave/protocol';
import { cidToString, ContentDb, type RecordSigner } from '@peerweave/storage';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { createContentMetrics, type ContentMetrics } from './content-metrics.ts';

/** A contact whose id starts with `firstByte` (so XOR order is easy to work out), then zeros. */
export function contact(firstByte: number): PeerContact {
  return { id: firstByte.toString(16).padStart(2, '0') + '00'.repeat(31), address: `n${firstByte}:7400`, role: 'peer', incarnation: 1 };
}

/** A raw block of `text` with its CID. */
export async function rawBlock(text: string): Promise<{ cid: CID; text: string; bytes: Uint8Array }> {
  const bytes = new TextEncoder().encode(text);
  const cid = CID.createV1(0x55, await sha256.digest(bytes));
  return { cid, text: cidToString(cid), bytes };
}

/** The block store's get/put/delete/stats over a Map. */
export class MemoryBlockStore {
  readonly map = new Map<string, Uint8Array>();

  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.map.get(cidToString(cid));
  }

  async put(cid: CID, bytes: Uint8Array): Promise<boolean> {
    const had = this.map.has(cidToString(cid));
    this.map.set(cidToString(cid), bytes);
    return !had;
  }

  /** Every batch given to putMany, for group-commit assertions. */
  readonly batches: string[][] = [];

  async putMany(entries: readonly { cid: CID; bytes: Uint8Array }[]): Promise<boolean[]> {
    this.batches.push(entries.map((e) => cidToString(e.cid)));
    return Promise.all(entries.map((e) => this.put(e.cid, e.bytes)));
  }

  async delete(cid: CID): Promise<boolean> {
    return this.map.delete(cidToString(cid));
  }

  stats(): { blocks: number; bytes: number } {
    let bytes = 0;
    for (const b of this.map.values()) bytes += b.length;
    return { blocks: this.map.size, bytes };
  }
}

export function memoryDb(): ContentDb {
  return new ContentDb({ path: ':memory:' });
}

/** A fresh Ed25519 signer for records. */
export function signer(): RecordSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  return { publicKey: raw, sign: (data) => new Uint8Array(edSign(null, data, privateKey)) };
}

const key = (name: string, labels: Labels = {}): string =>
  `${name}${JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))))}`;

/** Metrics that remember every value, read back with `value(name, labels)`. */
export class RecordingMetrics implements Metrics {
  readonly names: string[] = [];
  readonly collectors = new Map<string, () => number>();
  readonly #values = new Map<string, number>();

  value(name: string, labels: Labels = {}): number {
    return this.#values.get(key(name, labels)) ?? 0;
  }

  counter<L extends string>(options: { name: string }): Counter<L> {
    this.names.push(options.name);
    return { inc: (labels, value = 1) => this.#add(options.name, labels as Labels, value) };
  }

  gauge<L extends string>(options: { name: string; collect?: () => number }): Gauge<L> {
    this.names.push(options.name);
    if (options.collect) this.collectors.set(options.name, options.collect);
    return {
      set: (value, labels) => this.#values.set(key(options.name, labels as Labels), value),
      inc: (labels, value = 1) => this.#add(options.name, labels as Labels, value),
      dec: (labels, value = 1) => this.#add(options.name, labels as Labels, -value),
    };
  }

  histogram<L extends string>(options: { name: string }): Histogram<L> {
    this.names.push(options.name);
    return { observe: (value, labels) => this.#add(options.name, { ...(labels as Labels), observed: value }, 1) };
  }

  #add(name: string, labels: Labels | undefined, value: number): void {
    const k = key(name, labels ?? {});
    this.#values.set(k, (this.#values.get(k) ?? 0) + value);
  }
}

/** Content metrics over {@link RecordingMetrics}, with the recorder to read them back. */
export function contentMetrics(): { metrics: ContentMetrics; recorded: RecordingMetrics } {
  const recorded = new RecordingMetrics();
  return { metrics: createContentMetrics(recorded, { blocks: { stats: () => ({ blocks: 0, bytes: 0 }) }, db: { cachedBytes: () => 0 } }), recorded };
}

/**
 * The block-stream half of a transport for a peer of an older version that serves no streams:
 * every get and put fails with METHOD_NOT_ALLOWED (as UNIMPLEMENTED maps), so callers fall back
 * to the unary calls.
 */
export function noBlockStreams(): Pick<PeerTransport, 'openBlockReader' | 'openBlockWriter'> {
  const refuse = (): Promise<never> => Promise.reject(new PeerweaveError('METHOD_NOT_ALLOWED', 'this peer serves no block streams'));
  return {
    openBlockReader: () => ({ get: refuse, close: () => {}, closed: false }),
    openBlockWriter: () => ({ put: refuse, close: () => {}, closed: false }),
  };
}
