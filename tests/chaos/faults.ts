// Network faults made from the host, as root, inside a container's network namespace
// (`nsenter -t <pid> -n`, the host's iptables binary): every rule goes into one chain of our own,
// PWCHAOS, jumped to from INPUT and OUTPUT, so that clearing a fault is one flush and removing
// everything is three commands, whatever was added. The namespace (and with it any rule left
// behind) goes with the container; {@link Faults.clearAll} removes them before that anyway.
//
// Packet loss is an iptables `statistic` DROP of that share of the node's outgoing packets on
// eth0: what `tc qdisc add dev eth0 root netem loss 5%` does, but this machine's kernel has no
// sch_netem (see scripts/setup.d/60-chaos-tools.sh).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChaosNode } from './cluster.ts';

const run = promisify(execFile);
const CHAIN = 'PWCHAOS';

/** Runs `script` (sh) in `node`'s network namespace. */
async function inNetns(node: ChaosNode, script: string): Promise<string> {
  if (!node.pid) throw new Error(`${node.name}: no PID (not running?)`);
  const { stdout } = await run('nsenter', ['-t', String(node.pid), '-n', 'sh', '-euc', script]);
  return stdout;
}

/** Creates the chain and its two jumps unless present (idempotent: a restarted container has a fresh namespace). */
const ENSURE = `iptables -w -N ${CHAIN} 2>/dev/null || true
iptables -w -C INPUT -j ${CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${CHAIN}
iptables -w -C OUTPUT -j ${CHAIN} 2>/dev/null || iptables -w -I OUTPUT -j ${CHAIN}`;

export class Faults {
  /** Nodes that may hold rules of ours. */
  readonly #touched = new Map<string, ChaosNode>();

  /** Drops every packet between each node of `a` and each node of `b`, both ways, at both ends. */
  async partition(a: readonly ChaosNode[], b: readonly ChaosNode[]): Promise<void> {
    const cut = async (side: readonly ChaosNode[], other: readonly ChaosNode[]): Promise<void> => {
      await Promise.all(
        side.map(async (n) => {
          this.#touched.set(n.name, n);
          const rules = other.flatMap((o) => [`iptables -w -A ${CHAIN} -s ${o.ip} -j DROP`, `iptables -w -A ${CHAIN} -d ${o.ip} -j DROP`]);
          await inNetns(n, [ENSURE, ...rules].join('\n'));
        }),
      );
    };
    await Promise.all([cut(a, b), cut(b, a)]);
  }

  /** Drops `share` (0–1) of each node's outgoing packets on eth0, at random. */
  async loss(nodes: readonly ChaosNode[], share: number): Promise<void> {
    await Promise.all(
      nodes.map(async (n) => {
        this.#touched.set(n.name, n);
        await inNetns(n, `${ENSURE}\niptables -w -A ${CHAIN} -o eth0 -m statistic --mode random --probability ${share} -j DROP`);
      }),
    );
  }

  /** The rules currently in `node`'s chain (for checks and reports). */
  async rules(node: ChaosNode): Promise<string[]> {
    const out = await inNetns(node, `iptables -w -S ${CHAIN} 2>/dev/null || true`);
    return out.split('\n').filter((l) => l.startsWith('-A '));
  }

  /** Flushes the chain on every node touched: the partition heals, the loss stops. */
  async heal(): Promise<void> {
    await Promise.all([...this.#touched.values()].map((n) => inNetns(n, `iptables -w -F ${CHAIN} 2>/dev/null || true`).catch(() => {})));
  }

  /**
   * Removes the chain and its jumps from every node touched; a node that is not running (killed,
   * or its namespace gone with a restart) has nothing left to remove.
   */
  async clearAll(): Promise<void> {
    const script = `iptables -w -D INPUT -j ${CHAIN} 2>/dev/null || true
iptables -w -D OUTPUT -j ${CHAIN} 2>/dev/null || true
iptables -w -F ${CHAIN} 2>/dev/null || true
iptables -w -X ${CHAIN} 2>/dev/null || true`;
    await Promise.all([...this.#touched.values()].map((n) => inNetns(n, script).catch(() => {})));
    this.#touched.clear();
  }
}
