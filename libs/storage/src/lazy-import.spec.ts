import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lazyImport } from './lazy-import.ts';

describe('lazyImport', () => {
  it('loads on the first call only, and every call shares that load', async () => {
    let loads = 0;
    const load = lazyImport(async () => ({ n: ++loads }));
    assert.equal(loads, 0, 'nothing loaded before the first call');
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(loads, 1);
    assert.equal(a, b);
    assert.equal(await load(), a);
  });

  it('tries again after a failed load', async () => {
    let calls = 0;
    const load = lazyImport(async () => {
      calls += 1;
      if (calls === 1) throw new Error('first load fails');
      return 'loaded';
    });
    await assert.rejects(load(), /first load fails/);
    assert.equal(await load(), 'loaded');
    assert.equal(calls, 2);
  });
});
