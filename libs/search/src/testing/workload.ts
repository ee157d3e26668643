/**
 * A synthetic search workload for the cluster tests, the simulator and the bench: `files` distinct
 * objects, each held by `copies` random nodes (records replicate on r = 3 nodes in the real
 * system), each with a few keywords drawn from a vocabulary; queries for one word whose holders are
 * known. Recall of a search = share of the nodes holding a match that the answers named as holders.
 */
import type { Random } from '@peerweave/core';
import type { SearchCallOptions } from '../search-node.ts';
import type { SearchCluster } from './search-cluster.ts';

export interface WorkloadOptions {
  files?: number;
  copies?: number;
  vocabulary?: number;
  keywordsPerFile?: number;
}

export interface Workload {
  /** Word → ids of the nodes holding a file with that keyword. */
  readonly holders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Word → CIDs of the files with that keyword. */
  readonly files: ReadonlyMap<string, ReadonlySet<string>>;
  /** Words that some live node holds. */
  readonly words: readonly string[];
}

/** Spreads the files over the running nodes (each node tells its supernodes, if attached). */
export function placeFiles(cluster: SearchCluster, options: WorkloadOptions = {}): Workload {
  const { files = 2_000, copies = 3, vocabulary = 3_000, keywordsPerFile = 3 } = options;
  const random = cluster.random;
  const nodes = cluster.running();
  const holders = new Map<string, Set<string>>();
  const cids = new Map<string, Set<string>>();
  for (let f = 0; f < files; f++) {
    const keywords = new Set<string>();
    while (keywords.size < Math.min(keywordsPerFile, vocabulary)) keywords.add(`kw${random.int(vocabulary)}`);
    const cid = `bafkfile${f.toString().padStart(6, '0')}`;
    const entry = { cid, name: `file ${f}`, size: 1_000 + f, contentType: 'application/octet-stream', keywords: [...keywords] };
    const chosen = new Set<number>();
    while (chosen.size < Math.min(copies, nodes.length)) chosen.add(random.int(nodes.length));
    for (const i of chosen) {
      const node = nodes[i]!;
      cluster.hold(node.index, entry);
      for (const k of keywords) {
        let h = holders.get(k);
        if (h === undefined) holders.set(k, (h = new Set()));
        h.add(node.id);
        let c = cids.get(k);
        if (c === undefined) cids.set(k, (c = new Set()));
        c.add(cid);
      }
    }
  }
  return { holders, files: cids, words: [...holders.keys()].sort() };
}

export interface Measurement {
  queries: number;
  /** Mean share of the live holders of a match named in the answers. */
  recall: number;
  /** Mean share of the matching files found. */
  fileRecall: number;
  /** Mean Query + Hits messages sent in the whole network per search. */
  messagesPerQuery: number;
  /** Searches that used each mode. */
  modes: { flood: number; supernode: number };
  partial: number;
}

/**
 * Runs `queries` searches, one after another, each for a random word from a random live node,
 * and measures recall and messages. Holders that died are not counted as missed.
 */
export async function measure(
  cluster: SearchCluster,
  workload: Workload,
  queries: number,
  options: SearchCallOptions & { random?: Random; gapMs?: number } = {},
): Promise<Measurement> {
  const { random = cluster.random, gapMs = 50, ...searchOptions } = options;
  const live = cluster.running();
  const liveIds = new Set(live.map((n) => n.id));
  let recall = 0;
  let fileRecall = 0;
  let messages = 0;
  let partial = 0;
  const modes = { flood: 0, supernode: 0 };
  for (let q = 0; q < queries; q++) {
    const word = workload.words[random.int(workload.words.length)]!;
    const asker = live[random.int(live.length)]!;
    const before = cluster.messages();
    const r = await cluster.search(asker.index, word, { limit: 200, ...searchOptions });
    messages += cluster.messages() - before;
    const wanted = [...workload.holders.get(word)!].filter((h) => liveIds.has(h));
    const named = new Set(r.holders);
    recall += wanted.length === 0 ? 1 : wanted.filter((h) => named.has(h)).length / wanted.length;
    const found = new Set(r.hits.map((h) => h.cid));
    const files = [...workload.files.get(word)!];
    fileRecall += files.filter((c) => found.has(c)).length / files.length;
    modes[r.mode]++;
    if (r.partial) partial++;
    if (gapMs > 0) await cluster.advance(gapMs, gapMs);
  }
  return {
    queries,
    recall: recall / queries,
    fileRecall: fileRecall / queries,
    messagesPerQuery: messages / queries,
    modes,
    partial,
  };
}
