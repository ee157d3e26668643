import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StartableGroup, startAll, stopAll, type Startable } from './startable.ts';
import { InternalError, errorCode, isPeerweaveError, NotFoundError } from './errors.ts';

function component(log: string[], name: string, failStart = false): Startable {
  return {
    start: async () => {
      if (failStart) throw new Error(`${name} failed`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
    },
  };
}

describe('lifecycle', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const cs = [component(log, 'a'), component(log, 'b')];
    await startAll(cs);
    await stopAll(cs);
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stops what started when a later component fails to start', async () => {
    const log: string[] = [];
    await assert.rejects(startAll([component(log, 'a'), component(log, 'b', true)]), /b failed/);
    assert.deepEqual(log, ['start a', 'stop a']);
  });

  it('a StartableGroup starts its components once and stops them once, in reverse', async () => {
    const log: string[] = [];
    const group = new StartableGroup([component(log, 'a'), component(log, 'b')]);
    await group.start();
    await group.start();
    assert.equal(group.running, true);
    await group.stop();
    await group.stop();
    assert.equal(group.running, false);
    assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  });
});

describe('errors', () => {
  it('carry stable codes and names', () => {
    const e = new NotFoundError('no such thing');
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.name, 'NotFoundError');
    assert.ok(isPeerweaveError(e));
    assert.equal(errorCode(e), 'NOT_FOUND');
    assert.equal(errorCode(new Error('x')), 'INTERNAL');
    assert.equal(new InternalError('x').code, 'INTERNAL');
  });
});
