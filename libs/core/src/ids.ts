import { InvalidArgumentError } from './errors.ts';

/** Length in bytes of every id in the keyspace (node ids and content keys): SHA-256. */
export const ID_BYTES = 32;

const HEX_ID = /^[0-9a-f]{64}$/;

/**
 * A 256-bit identifier in the Kademlia keyspace. Node ids are SHA-256 of the node's Ed25519 public
 * key; content keys are the SHA-256 digest a CID carries in its multihash. Printable form: 64 lowercase hex digits.
 */
export class NodeId {
  readonly bytes: Uint8Array;
  #hex: string | undefined;

  constructor(bytes: Uint8Array) {
    if (bytes.length !== ID_BYTES) {
      throw new InvalidArgumentError(`an id has ${ID_BYTES} bytes, got ${bytes.length}`);
    }
    this.bytes = bytes;
  }

  static fromHex(hex: string): NodeId {
    const h = hex.toLowerCase();
    if (!HEX_ID.test(h)) throw new InvalidArgumentError(`not a 64-digit hex id: ${JSON.stringify(hex.slice(0, 80))}`);
    return new NodeId(Uint8Array.from(Buffer.from(h, 'hex')));
  }

  static isHex(value: string): boolean {
    return HEX_ID.test(value);
  }

  toHex(): string {
    this.#hex ??= Buffer.from(this.bytes).toString('hex');
    return this.#hex;
  }

  /** First 12 hex digits: enough to tell nodes apart in logs, like a git short hash. */
  toShortString(): string {
    return this.toHex().slice(0, 12);
  }

  toString(): string {
    return this.toHex();
  }

  toJSON(): string {
    return this.toHex();
  }

  equals(other: NodeId): boolean {
    return Buffer.compare(this.bytes, other.bytes) === 0;
  }
}
