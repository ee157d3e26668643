import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hintAction } from './hand-back.ts';
import { contact } from './test-support.ts';

const self = contact(0x10);
const down = contact(0x20);
const other = contact(0x30);

describe('hintAction', () => {
  const cases: [what: string, replicas: ReturnType<typeof contact>[], expected: ReturnType<typeof hintAction>][] = [
    ['its node is a replica again, this node is not one: back, then cache', [down, other], { action: 'hand-back', target: down, keepAs: 'cache' }],
    ['its node is a replica again and so is this node: back, then replica', [self, down, other], { action: 'hand-back', target: down, keepAs: 'replica' }],
    ['its node left the set and this node is in it: promote', [self, other], { action: 'promote' }],
    ['neither: keep the hint', [other], { action: 'keep' }],
  ];
  for (const [what, replicas, expected] of cases) {
    it(what, () => assert.deepEqual(hintAction(down.id, replicas, self.id), expected));
  }
});
