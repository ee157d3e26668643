import type { NodeStatus } from '../api-types.ts';
import type { CommandContext } from '../command-context.ts';
import { formatDuration, formatFields } from '../format.ts';

/** `peerweave status`: who the node is. */
export async function statusCommand(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const status = await client.json('get', '/v1/status', { signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.json(status);
    return;
  }
  ctx.out(formatStatus(client.baseUrl, status));
}

export function formatStatus(node: string, s: Pick<NodeStatus, 'id' | 'role' | 'version' | 'uptimeSeconds' | 'addresses'>): string {
  return formatFields([
    ['node', node],
    ['id', s.id],
    ['role', s.role],
    ['version', s.version],
    ['uptime', formatDuration(s.uptimeSeconds * 1000)],
    ['http', s.addresses.http.join(', ') || '-'],
    ['grpc', s.addresses.grpc.join(', ') || '-'],
  ]);
}
