import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Startable } from '@peerweave/core';
import { Lifecycle } from './lifecycle.ts';

function component(log: string[], name: string, fail: { start?: boolean; stop?: boolean } = {}): Startable {
  return {
    start: async () => {
      if (fail.start) throw new Error(`${name} refused to start`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (fail.stop) throw new Error(`${name} refused to stop`);
    },
  };
}

describe('Lifecycle', () => {
  it('starts components in the order they are added and stops them in reverse, once', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    const a = component(log, 'a');
    assert.equal(await lifecycle.start('a', a), a);
    await lifecycle.start('b', component(log, 'b'));
    await lifecycle.start('c', component(log, 'c'));
    assert.deepEqual(lifecycle.started, ['a', 'b', 'c']);
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    assert.deepEqual(log, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('rolls back: after a failed start, stop stops what started before it and not the failed one', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    await lifecycle.start('a', component(log, 'a'));
    await lifecycle.start('b', component(log, 'b'));
    await assert.rejects(lifecycle.start('c', component(log, 'c', { start: true })), /c refused to start/);
    await lifecycle.stop();
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });

  it('asks every component to stop even when one throws, and reports the failure', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle();
    await lifecycle.start('a', component(log, 'a'));
    await lifecycle.start('b', component(log, 'b', { stop: true }));
    await lifecycle.start('c', component(log, 'c'));
    await assert.rejects(lifecycle.stop(), /b refused to stop/);
    assert.deepEqual(log.slice(3), ['stop c', 'stop b', 'stop a']);
  });

  it('starts and stops what `wrap` returns, and returns the component itself', async () => {
    const log: string[] = [];
    const lifecycle = new Lifecycle({
      wrap: (name, c) => ({
        start: async () => {
          log.push(`wrapped ${name}`);
          await c.start();
        },
        stop: () => c.stop(),
      }),
    });
    const a = component(log, 'a');
    assert.equal(await lifecycle.start('a', a), a);
    await lifecycle.stop();
    assert.deepEqual(log, ['wrapped a', 'start a', 'stop a']);
  });

  it('refuses to start a component once stopping (SHUTTING_DOWN)', async () => {
    const lifecycle = new Lifecycle();
    await lifecycle.stop();
    await assert.rejects(lifecycle.start('late', component([], 'late')), { code: 'SHUTTING_DOWN' });
  });
});
