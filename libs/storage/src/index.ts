// Public API of the storage lib: CIDs, blocks on disk, UnixFS import/export, signed records and
// the content database. Other libs import only from here.
export {
  parseCid,
  cidToString,
  cidKey,
  cidKeyHex,
  blockMatches,
  assertSupportedCid,
  RAW_CODE,
  DAG_PB_CODE,
  SHA2_256_CODE,
} from './cid.ts';
export type { BlockSink, BlockGetter } from './block-io.ts';
export { BlockStore } from './block-store.ts';
export type {
  BlockStoreInit,
  BlockStoreStats,
  WriteStep,
  BlockEntry,
  PutOptions,
  PutManyOptions,
  GetOptions,
} from './block-store-types.ts';
export { COMMIT_LOG_FILE, DEFAULT_COMMIT_LOG_CHECKPOINT_BLOCKS, DEFAULT_COMMIT_LOG_CHECKPOINT_BYTES, defaultFsync } from './commit-log.ts';
export type { Fsync, SyncTarget } from './commit-log.ts';
export { importFile, CHUNK_SIZE, MAX_CHILDREN_PER_NODE, IMPORT_BLOCK_CONCURRENCY } from './unixfs-import.ts';
export type { ImportedBlock, ImportedObject, ImportFileOptions } from './unixfs-import.ts';
export { statObject, exportFile, EXPORT_WINDOW_BYTES } from './unixfs-export.ts';
export type { ExportFileOptions, ObjectStat } from './unixfs-export.ts';
export { blockLinks, dagBlocks } from './dag-walk.ts';
export { fileLeaves, walkFileLeaves, type FileLeaf } from './file-leaves.ts';
export { exportCar } from './car-export.ts';
export {
  recordSigningBytes,
  signRecord,
  verifyRecord,
  normaliseKeywords,
} from './record.ts';
export type { UnsignedRecord, RecordSigner } from './record.ts';
export {
  ContentDb,
  BLOCK_KINDS,
  CONTENT_DB_FILE,
  CONTENT_DB_SCHEMA_VERSION,
  DEFAULT_TOUCH_COALESCE_MS,
  DEFAULT_CONTENT_DB_CACHE_KIB,
} from './content-db.ts';
export type { BlockKind, BlockRow, AddBlockRow, ContentDbInit, VerifiedMark } from './content-db.ts';
export { SqliteStatements } from './sqlite-statements.ts';
export { registerFilesystemMetrics, statfsSpace } from './filesystem-metrics.ts';
export type { FilesystemMetricsInit, FilesystemSpace } from './filesystem-metrics.ts';
