import type { PeerRow, PeersAnswer, PeerState } from '../api-types.ts';
import type { CommandContext } from '../command-context.ts';
import { formatTable, shortId } from '../format.ts';

export interface PeersOptions {
  readonly state?: PeerState | undefined;
}

/** The states `--state` offers: those the API accepts (checked against its type). */
export const PEER_STATES = ['alive', 'suspect', 'dead', 'left'] as const satisfies readonly PeerState[];

/** The fields of a peer the table shows. */
export type PeerTableRow = Pick<PeerRow, 'id' | 'address' | 'role' | 'state' | 'bucket'>;

/** `peerweave peers`: the node's contacts as a table (closest buckets last, as Kademlia counts). */
export async function peersCommand(ctx: CommandContext, options: PeersOptions): Promise<void> {
  const client = await ctx.client();
  const body = await client.json('get', '/v1/peers', { query: { state: options.state }, signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.json(body);
    return;
  }
  ctx.out(formatPeers(body));
}

export function formatPeers(body: Pick<PeersAnswer, 'self' | 'count'> & { peers: readonly PeerTableRow[] }): string {
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
