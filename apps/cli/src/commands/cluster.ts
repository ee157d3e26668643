import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../command-context.ts';
import { LocalFileError, UsageError } from '../errors.ts';

export type ClusterAction = 'up' | 'down' | 'ps';
export const CLUSTER_ACTIONS: readonly ClusterAction[] = ['up', 'down', 'ps'];

/**
 * `peerweave cluster up [N] | down | ps` → `bash <repo>/scripts/cluster.sh …` with the terminal
 * handed over; resolves to the script's exit code (0 ok, 1 failed).
 */
export async function clusterCommand(ctx: CommandContext, action: string, count: string | undefined): Promise<number> {
  if (!(CLUSTER_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`cluster: unknown action "${action}" (expected up [N], down or ps)`);
  }
  if (count !== undefined && action !== 'up') throw new UsageError(`cluster ${action} takes no argument`);
  if (count !== undefined && !/^[1-9][0-9]*$/.test(count)) {
    throw new UsageError(`cluster up: N must be a positive number of peers, got "${count}"`);
  }
  const script = ctx.repoRoot === undefined ? undefined : join(ctx.repoRoot, 'scripts', 'cluster.sh');
  if (script === undefined || !existsSync(script)) {
    throw new LocalFileError('cluster needs the Peerweave checkout the CLI was installed from (scripts/cluster.sh not found)');
  }
  const args = [script, action, ...(count === undefined ? [] : [count])];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { stdio: 'inherit', cwd: ctx.repoRoot });
    child.on('error', (err) => reject(new LocalFileError(`cannot run bash ${args.join(' ')}: ${err.message}`, { cause: err })));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
