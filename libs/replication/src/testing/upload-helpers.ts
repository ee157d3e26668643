// Helpers the in-process data-path specs share: deterministic file bytes, their DAG worked out
// without storing it, and a hook on every block row a node records.
import { createCipheriv, createHash } from 'node:crypto';
import { cidToString, importFile, type AddBlockRow } from '@peerweave/storage';
import type { ContentClusterNode } from './content-cluster.ts';

const MiB = 1024 * 1024;

/** `n` bytes that look random and are the same for the same seed (AES-256-CTR keystream). */
export function seededBytes(seed: string, n: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

/** `bytes` as an upload body arriving in `size` pieces. */
export async function* chunks(bytes: Uint8Array, size = 1 * MiB): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The root CID `bytes` get as an object, and the CIDs of all its blocks, worked out without storing anything. */
export async function dagOf(bytes: Uint8Array): Promise<{ root: string; cids: Set<string> }> {
  const cids = new Set<string>();
  const { cid } = await importFile(chunks(bytes), async (c) => {
    cids.add(cidToString(c));
  });
  return { root: cidToString(cid), cids };
}

/**
 * Calls `fn` with every block row `node` is about to record (replica, hint or cache), before it is
 * recorded. Every way a block reaches a node's bookkeeping goes through ContentDb.addBlock or
 * addBlocks, so the trigger does not depend on how blocks travel (unary calls or streams). A
 * write-stream batch (and a PinBlocks) records its rows together; a row whose `fn` throws fails
 * the batch, as a crash mid-batch would.
 */
export function beforeBlockRow(node: ContentClusterNode, fn: (row: AddBlockRow) => void): void {
  const db = node.db;
  const add = db.addBlock.bind(db);
  const addMany = db.addBlocks.bind(db);
  db.addBlock = (row: AddBlockRow): void => {
    fn(row);
    add(row);
  };
  db.addBlocks = (rows: readonly AddBlockRow[]): void => {
    for (const row of rows) fn(row);
    addMany(rows);
  };
}
