import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { swarmSources } from './swarm-sources.ts';

const s = (id: string) => ({ id });
const ids = (list: { id: string }[]) => list.map((x) => x.id);

describe('swarmSources', () => {
  const cases: [what: string, local: string | undefined, replicas: string[], providers: string[], expected: string[]][] = [
    ['held here: this node first', 'me', ['r1', 'r2'], [], ['me', 'r1', 'r2', 'lookup']],
    ['not held here: replicas first', undefined, ['r1', 'r2'], [], ['r1', 'r2', 'lookup']],
    ['providers after the replicas', undefined, ['r1'], ['p1', 'p2'], ['r1', 'p1', 'p2', 'lookup']],
    ['a provider that is a replica is asked once', undefined, ['r1', 'r2'], ['r2', 'p1'], ['r1', 'r2', 'p1', 'lookup']],
    ['nobody known: the lookup only', undefined, [], [], ['lookup']],
  ];
  for (const [what, local, replicas, providers, expected] of cases) {
    it(what, () => assert.deepEqual(ids(swarmSources(local ? s(local) : undefined, replicas.map(s), providers.map(s), s('lookup'))), expected));
  }
});
