import type { CommandContext } from '../command-context.ts';
import { formatTable, shortId } from '../format.ts';

/** What `GET /v1/peers` answers (README, "HTTP API"). */
export interface PeersResponse {
  self: string;
  count: number;
  peers: PeerRow[];
}

export interface PeerRow {
  id: string;
  address: string;
  role: string;
  state: string;
  bucket: number;
  incarnation?: number;
  lastSeen?: string;
  inTable?: boolean;
  neighbourhood?: boolean;
  overlay?: boolean;
}

export interface PeersOptions {
  readonly state?: string | undefined;
}

export const PEER_STATES = ['alive', 'suspect', 'dead', 'left'] as const;

/** `peerweave peers`: the node's contacts as a table (closest buckets last, as Kademlia counts). */
export async function peersCommand(ctx: CommandContext, options: PeersOptions): Promise<void> {
  const client = await ctx.client();
  const query = options.state ? `?${new URLSearchParams({ state: options.state })}` : '';
  const body = await client.json<PeersResponse>('GET', `/v1/peers${query}`, { signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.json(body);
    return;
  }
  ctx.out(formatPeers(body));
}

export function formatPeers(body: PeersResponse): string {
  const rows = [...body.peers].sort((a, b) => a.bucket - b.bucket || a.id.localeCompare(b.id));
  const table = formatTable(rows, [
    { header: 'ID', value: (p) => shortId(p.id) },
    { header: 'ADDRESS', value: (p) => p.address },
    { header: 'STATE', value: (p) => p.state },
    { header: 'ROLE', value: (p) => p.role },
    { header: 'BUCKET', value: (p) => String(p.bucket), right: true },
  ]);
  return `${table}\n${rows.length} ${rows.length === 1 ? 'peer' : 'peers'} known to ${shortId(body.self)}`;
}
