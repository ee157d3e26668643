// `npm run sim -- --search --nodes 10000`: flooded and supernode search (issue #7) at scale, in
// one process, with the real SearchNode engine over the in-memory network on a manual clock.
import { createSearchCluster, measure, placeFiles, type SearchCluster } from '@peerweave/search/testing';

export interface SearchSimOptions {
  nodes: number;
  /** Nodes in the supernode role (0: flooding only). */
  supernodes: number;
  seed: number;
  /** Searches per figure. */
  queries: number;
  /** Flood TTLs to measure. */
  ttls: readonly number[];
  /**
   * `routing`: the overlay the real routing code builds (Kademlia tables grown by joins, SWIM
   * running; slow beyond a few thousand nodes). `synthetic` (default): 8 neighbours per node from
   * distinct XOR buckets, as routing chooses them, without running routing.
   */
  overlay?: 'routing' | 'synthetic';
  /** Distinct files, each held by 3 random nodes (default 2 000). */
  files?: number;
  onProgress?: (line: string) => void;
}

export interface SearchFigure {
  recall: number;
  fileRecall: number;
  messagesPerQuery: number;
  partial: number;
}

export interface SearchSimReport {
  nodes: number;
  supernodes: number;
  seed: number;
  queries: number;
  overlay: string;
  flood: (SearchFigure & { ttl: number })[];
  /** Undefined without supernodes. */
  supernode: (SearchFigure & { attachSimSeconds: number; searchesThroughSupernodes: number; meshKnown: MeshKnown }) | undefined;
  /**
   * Supernode search again once every supernode knows every other (the mesh formed), or after
   * MESH_WAIT_MS more of simulated time if it did not: seconds after the first searches (undefined
   * when it did not form), what each knew then, recall and messages.
   */
  supernodeSettled: (SearchFigure & { meshSimSeconds: number | undefined; meshKnown: MeshKnown }) | undefined;
  realSeconds: number;
  heapMiB: number;
}

/** Settings of every node: 1 ms hops on the manual clock, so 100 ms of quiet ends a search. */
const SEARCH = { quietMs: 100, deadlineMs: 3_000 };
/** Simulated time the second supernode measurement waits at most for the mesh to form (12 maintenance rounds). */
const MESH_WAIT_MS = 180_000;

/** How many of the other supernodes each supernode knows: the least, and the mean. */
export interface MeshKnown {
  min: number;
  mean: number;
}

function meshKnown(cluster: SearchCluster): MeshKnown {
  const known = cluster.supernodes().map((s) => s.search.knownSupernodes().length);
  return { min: Math.min(...known), mean: known.reduce((a, b) => a + b, 0) / known.length };
}

/**
 * Builds `nodes` search nodes on the real routing overlay or a synthetic Kademlia-like one (8
 * neighbours from distinct XOR buckets; a comparison: the real overlay at 10 000 nodes takes
 * ~10 min to build), spreads `files`
 * files over them (3 holders each, 3 keywords each from a 3 000-word vocabulary), then measures
 * recall (share of the holders of a match named in the answers) and Query + Hits messages per
 * search: flooding at each TTL, and searching through the supernodes once every leaf is attached.
 */
export async function simulateSearch(o: SearchSimOptions): Promise<SearchSimReport> {
  const started = Date.now();
  const progress = o.onProgress ?? (() => {});
  const overlay = o.overlay ?? 'synthetic';
  const cluster = await createSearchCluster(o.nodes, { overlay, supernodes: o.supernodes, seed: o.seed, search: SEARCH });
  const workload = placeFiles(cluster, { files: o.files ?? 2_000 });
  progress(`built ${o.nodes} nodes, ${o.supernodes} supernodes (${((Date.now() - started) / 1000).toFixed(1)} s real)`);

  let supernode: SearchSimReport['supernode'];
  let supernodeSettled: SearchSimReport['supernodeSettled'];
  if (o.supernodes > 0) {
    const attachMs = await cluster.waitUntil(
      () => cluster.nodes.every((n) => n.role === 'supernode' || n.search.attachedSupernodes().length >= 2),
      { maxMs: 600_000, stepMs: 500, what: 'every leaf attached to 2 supernodes' },
    );
    await cluster.advance(1_000);
    progress(`leaves attached after ${(attachMs / 1000).toFixed(1)} s simulated`);
    // How much of the supernode mesh each supernode knows when the searches start.
    const known = meshKnown(cluster);
    const m = await measure(cluster, workload, o.queries);
    supernode = {
      recall: m.recall,
      fileRecall: m.fileRecall,
      messagesPerQuery: m.messagesPerQuery,
      partial: m.partial,
      attachSimSeconds: attachMs / 1000,
      meshKnown: known,
      searchesThroughSupernodes: m.modes.supernode,
    };
    progress(`supernode search: recall ${m.recall.toFixed(3)}, ${m.messagesPerQuery.toFixed(1)} messages/query (each supernode knew min ${known.min}, mean ${known.mean.toFixed(1)} of ${o.supernodes - 1})`);
    const everyone = cluster.supernodes().length - 1;
    let meshMs: number | undefined;
    try {
      meshMs = await cluster.waitUntil(() => cluster.supernodes().every((s) => s.search.knownSupernodes().length >= everyone), {
        maxMs: MESH_WAIT_MS,
        stepMs: 1_000,
        what: 'every supernode knows every other',
      });
    } catch {
      meshMs = undefined;
    }
    const formed = meshKnown(cluster);
    const again = await measure(cluster, workload, o.queries);
    supernodeSettled = { recall: again.recall, fileRecall: again.fileRecall, messagesPerQuery: again.messagesPerQuery, partial: again.partial, meshSimSeconds: meshMs === undefined ? undefined : meshMs / 1000, meshKnown: formed };
    progress(
      `supernode search ${meshMs === undefined ? `${MESH_WAIT_MS / 1000} s later, the mesh not formed` : `once the mesh formed (${(meshMs / 1000).toFixed(0)} s later)`}: recall ${again.recall.toFixed(3)}, ${again.messagesPerQuery.toFixed(1)} messages/query`,
    );
  }
  const flood: SearchSimReport['flood'] = [];
  for (const ttl of o.ttls) {
    const m = await measure(cluster, workload, o.queries, { ttl, mode: 'flood' });
    flood.push({ ttl, recall: m.recall, fileRecall: m.fileRecall, messagesPerQuery: m.messagesPerQuery, partial: m.partial });
    progress(`flood TTL ${ttl}: recall ${m.recall.toFixed(3)}, ${m.messagesPerQuery.toFixed(0)} messages/query`);
  }
  const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
  await cluster.stop();
  return {
    nodes: o.nodes,
    supernodes: o.supernodes,
    seed: o.seed,
    queries: o.queries,
    overlay: overlay === 'routing' ? 'the routing code (Kademlia + SWIM, 8 overlay neighbours)' : 'synthetic (8 neighbours from distinct XOR buckets)',
    flood,
    supernode,
    supernodeSettled,
    realSeconds: (Date.now() - started) / 1000,
    heapMiB,
  };
}
