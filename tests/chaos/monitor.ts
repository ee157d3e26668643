// Watches every live node's membership view (/v1/peers) while a scenario runs: a node the harness
// knows to be running (not paused, not killed, not restarting) listed dead or left by anyone is a
// false death. Sweeps all views about once a second.
import type { ChaosCluster } from './cluster.ts';
import { sleep } from './workload.ts';

export interface FalseDeath {
  observer: string;
  member: string;
  state: string;
  at: number;
}

export class ViewMonitor {
  readonly falseDeaths: FalseDeath[] = [];
  /** Sweeps done (every view asked once). */
  sweeps = 0;
  /** Per observed member name, the first time any view listed it dead (for "the paused node is declared dead"). */
  readonly firstDead = new Map<string, number>();
  #running = false;
  #loop: Promise<void> | undefined;

  readonly cluster: ChaosCluster;
  readonly everyMs: number;

  constructor(cluster: ChaosCluster, everyMs = 1_000) {
    this.cluster = cluster;
    this.everyMs = everyMs;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** Distinct members falsely declared dead, and by how many observers. */
  summary(): { members: number; events: number } {
    return { members: new Set(this.falseDeaths.map((d) => d.member)).size, events: this.falseDeaths.length };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const t0 = Date.now();
      await this.sweep();
      await sleep(Math.max(0, this.everyMs - (Date.now() - t0)));
    }
  }

  async sweep(): Promise<void> {
    const byId = new Map(this.cluster.nodes.map((n) => [n.id, n]));
    const observers = this.cluster.live();
    await Promise.all(
      observers.map(async (o) => {
        const view = await this.cluster.peersOf(o).catch(() => undefined);
        if (!view) return;
        const at = Date.now();
        for (const p of view.peers) {
          if (p.state !== 'dead' && p.state !== 'left') continue;
          const member = byId.get(p.id);
          if (!member) continue;
          if (!this.firstDead.has(member.name)) this.firstDead.set(member.name, at);
          // Only members running now and all along since the last sweep count: `down` covers the
          // paused, killed and restarting ones, whose deaths are expected.
          if (!this.expected(member.name, at)) {
            this.falseDeaths.push({ observer: o.name, member: member.name, state: p.state, at });
          }
        }
      }),
    );
    this.sweeps++;
  }

  /**
   * Whether `name` listed dead at `at` is expected: by default while it is down (paused, killed,
   * restarting) and for {@link graceMs} after it came back. A scenario that pauses a node for less
   * than the suspicion timeout replaces it: then no death is expected.
   */
  expected: (name: string, at: number) => boolean = (name, at) => this.cluster.down.has(name) || this.#recentlyDown(name, at);

  /**
   * A member back from a pause or restart is listed dead until its refutation arrives; that is the
   * expected aftermath, not a false death, for `graceMs` after it came back.
   */
  #recentlyDown(name: string, at: number): boolean {
    const back = this.cluster.backAt.get(name);
    return back !== undefined && at - back < this.graceMs;
  }

  /** How long after a member came back its old death still counts as expected. */
  graceMs = 30_000;
}
