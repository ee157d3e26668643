import { blockFileName, openIfPresent } from './block-files.ts';
import { blockMatches } from './cid.ts';
import { type LoggedRecord, readCommitLog, readLogBytes } from './commit-log.ts';

/**
 * Reads what a crash left in the commit log at `path` and hands `restore` the last word on each
 * block: its newest logged copy whose bytes match its CID, unless a later delete record dropped
 * it. A record cut short or zero-filled by a crash mid-append ends the log there (readCommitLog);
 * a copy whose bytes do not match is skipped for an older one. False when there is no log, or an
 * empty one: nothing to restore, and no checkpoint needed.
 */
export async function replayCommitLog(path: string, restore: (name: string, bytes: Uint8Array) => Promise<void>): Promise<boolean> {
  const handle = await openIfPresent(path);
  if (handle === undefined) return false;
  try {
    if ((await handle.stat()).size === 0) return false;
    // The last word on each block: its puts since its last delete (any whole copy will do).
    const live = new Map<string, LoggedRecord[]>();
    for await (const record of readCommitLog(handle)) {
      const copies = live.get(record.name);
      if (record.kind === 'delete') live.delete(record.name);
      else if (copies === undefined) live.set(record.name, [record]);
      else copies.push(record);
    }
    for (const [name, records] of live) {
      const cid = blockFileName(name);
      if (cid === undefined) continue;
      for (const record of records.toReversed()) {
        const bytes = await readLogBytes(handle, record);
        if (!blockMatches(cid, bytes)) continue;
        await restore(name, bytes);
        break;
      }
    }
    return true;
  } finally {
    await handle.close();
  }
}
