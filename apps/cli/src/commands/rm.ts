import type { CommandContext } from '../command-context.ts';

/** `peerweave rm CID` → DELETE /v1/objects/:cid (a tombstone on every replica). */
export async function rmCommand(ctx: CommandContext, cid: string): Promise<void> {
  const client = await ctx.client();
  const body = await client.json('delete', '/v1/objects/{cid}', { path: { cid }, signal: ctx.signal });
  if (ctx.globals.json) ctx.json(body);
  else ctx.out(`deleted ${body.cid}`);
}
