import type { CommandContext } from '../command-context.ts';

/** `peerweave rm CID` → DELETE /v1/objects/:cid (a tombstone on every replica). */
export async function rmCommand(ctx: CommandContext, cid: string): Promise<void> {
  const client = await ctx.client();
  const body = await client.json<{ cid: string; deleted: boolean }>('DELETE', `/v1/objects/${encodeURIComponent(cid)}`, {
    signal: ctx.signal,
  });
  if (ctx.globals.json) ctx.json(body);
  else ctx.out(`deleted ${body.cid}`);
}
