import { join } from 'node:path';
import { NotReadyError, silentLogger, type Logger, type Startable } from '@peerweave/core';
import { SearchIndex } from '@peerweave/search';
import { BlockStore, ContentDb } from '@peerweave/storage';

export interface NodeStoresInit {
  dataDir: string;
  /** A supernode also keeps the index of its leaves. */
  supernode: boolean;
  /** Longest wait for the block store's last checkpoint on stop; past it, the next start replays its log. */
  closeTimeoutMs: number;
  logger?: Logger;
}

interface Open {
  blocks: BlockStore;
  db: ContentDb;
  searchIndex: SearchIndex;
  leafIndex: SearchIndex | undefined;
}

/**
 * What a node keeps on disk under its data directory, opened by `start` and closed by `stop`:
 * the block store (blocks/), the content database (peerweave.db: records, pins, providers,
 * tombstones), the node's search index (search.db) and, on a supernode, the index of its leaves
 * (in memory: soft state its leaves publish again when they attach).
 */
export class NodeStores implements Startable {
  readonly #init: NodeStoresInit;
  readonly #log: Logger;
  #open: Open | undefined;
  #closers: (() => Promise<void> | void)[] = [];

  constructor(init: NodeStoresInit) {
    this.#init = init;
    this.#log = (init.logger ?? silentLogger).child({ component: 'stores' });
  }

  get blocks(): BlockStore {
    return this.#opened().blocks;
  }

  get db(): ContentDb {
    return this.#opened().db;
  }

  get searchIndex(): SearchIndex {
    return this.#opened().searchIndex;
  }

  get leafIndex(): SearchIndex | undefined {
    return this.#opened().leafIndex;
  }

  /** Opens every store; if one fails to open, those opened before it are closed again. */
  async start(): Promise<void> {
    const { dataDir } = this.#init;
    try {
      const blocks = new BlockStore({ dir: join(dataDir, 'blocks') });
      await blocks.open();
      this.#closers.push(() => this.#closeBlocks(blocks));
      const db = new ContentDb({ path: join(dataDir, 'peerweave.db') });
      this.#closers.push(() => db.close());
      const searchIndex = new SearchIndex({ path: join(dataDir, 'search.db') });
      this.#closers.push(() => searchIndex.close());
      const leafIndex = this.#init.supernode ? new SearchIndex({ path: ':memory:' }) : undefined;
      if (leafIndex) this.#closers.push(() => leafIndex.close());
      this.#open = { blocks, db, searchIndex, leafIndex };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * The memory release, once the node is quiet after work: checkpoints the block store's commit
   * log (which then forgets the blocks it covered; BlockStore.checkpoint), then lets the on-disk
   * databases' SQLite page caches go: what a burst read into them is given back; the next reads
   * fill them again.
   */
  async releaseMemory(): Promise<void> {
    const open = this.#open;
    if (open === undefined) return;
    try {
      await open.blocks.checkpoint();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'block store checkpoint at the memory release failed');
    }
    open.db.releaseMemory();
    open.searchIndex.releaseMemory();
  }

  /** Closes the stores in reverse order of opening; idempotent. */
  async stop(): Promise<void> {
    this.#open = undefined;
    const closers = this.#closers.reverse();
    this.#closers = [];
    for (const close of closers) {
      try {
        await close();
      } catch (err) {
        this.#log.warn({ err: (err as Error).message }, 'closing a store failed');
      }
    }
  }

  /**
   * A last checkpoint of the block store's commit log (its blocks' files are synced and the log
   * truncated), bounded: if it cannot finish, the next start replays the log.
   */
  async #closeBlocks(blocks: BlockStore): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log.warn({ timeoutMs: this.#init.closeTimeoutMs }, 'block store checkpoint did not finish in time; the next start replays its log');
        resolve();
      }, this.#init.closeTimeoutMs).unref();
    });
    await Promise.race([blocks.close(), bound]).finally(() => clearTimeout(timer));
  }

  #opened(): Open {
    if (this.#open === undefined) throw new NotReadyError('the stores are not open');
    return this.#open;
  }
}
