// The peer process: read config, start the node, stop cleanly on SIGTERM/SIGINT.
// The supernode is this same program with PEERWEAVE_ROLE=supernode.
import { isPeerweaveError } from '@peerweave/core';
import { loadNodeConfig, type NodeConfig } from '@peerweave/config';
import { startNode, type PeerNode } from './node.ts';

/** Exit within this long after SIGTERM whatever happens (Docker kills at 10 s). */
const HARD_EXIT_MS = 9_500;

function fail(err: unknown): never {
  // One line, no stack: the message of a typed error names the variable and what it accepts.
  const message = isPeerweaveError(err) ? err.message : `fatal: ${(err as Error)?.stack ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let config: NodeConfig;
try {
  config = loadNodeConfig(process.env);
} catch (err) {
  fail(err);
}

let node: PeerNode;
try {
  node = await startNode(config);
} catch (err) {
  fail(err);
}

let signalled = false;
const shutdown = (signal: string): void => {
  if (signalled) return;
  signalled = true;
  setTimeout(() => {
    process.stderr.write(`shutdown after ${signal} took longer than ${HARD_EXIT_MS} ms; exiting\n`);
    process.exit(1);
  }, HARD_EXIT_MS).unref();
  node.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`shutdown failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
