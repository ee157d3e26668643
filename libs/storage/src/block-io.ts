import type { CID } from 'multiformats/cid';

/**
 * Where the importer puts each block as soon as it is made. The importer awaits it, so a slow sink
 * (a disk, replicas over the network) slows the import down instead of piling blocks up in memory.
 */
export type BlockSink = (cid: CID, bytes: Uint8Array, options: { signal?: AbortSignal }) => Promise<void>;

/**
 * Where the exporters read blocks from: resolves with bytes already checked against `cid`, or
 * rejects with NotFoundError. Local store, replicas or both: the exporters do not care.
 */
export type BlockGetter = (cid: CID, options: { signal?: AbortSignal }) => Promise<Uint8Array>;
