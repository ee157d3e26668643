import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

/** A destination that keeps every line pino writes, parsed. */
function captureLines(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { stream, lines };
}

test('writes one JSON line with node, component, level name, ISO time and msg', () => {
  const { stream, lines } = captureLines();
  const logger = createLogger({ level: 'info', node: 'abc123def456', destination: stream });
  logger.child({ component: 'routing' }).info({ peers: 3 }, 'table refreshed');
  assert.equal(lines.length, 1);
  const line = lines[0]!;
  assert.equal(line.node, 'abc123def456');
  assert.equal(line.component, 'routing');
  assert.equal(line.level, 'info');
  assert.equal(line.msg, 'table refreshed');
  assert.equal(line.peers, 3);
  assert.equal(typeof line.time, 'string');
  assert.equal(new Date(line.time as string).toISOString(), line.time);
  assert.equal('pid' in line, false);
  assert.equal('hostname' in line, false);
});

test('drops lines below the level', () => {
  const { stream, lines } = captureLines();
  const logger = createLogger({ level: 'warn', destination: stream });
  logger.info('quiet');
  logger.warn('loud');
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['loud'],
  );
});

test('a level change on the root reaches children made before it', () => {
  const { stream, lines } = captureLines();
  const logger = createLogger({ level: 'info', node: 'n1', destination: stream });
  const child = logger.child({ component: 'swim' });
  child.debug('hidden');
  logger.level = 'debug';
  assert.equal(logger.level, 'debug');
  child.debug('shown');
  logger.level = 'error';
  child.warn('hidden again');
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['shown'],
  );
});

test('the node can be bound later with child', () => {
  const { stream, lines } = captureLines();
  const logger = createLogger({ level: 'info', destination: stream });
  logger.child({ node: 'late' }).child({ component: 'http' }).error({ err: new Error('boom') }, 'failed');
  assert.equal(lines[0]!.node, 'late');
  assert.equal(lines[0]!.level, 'error');
  assert.equal((lines[0]!.err as { message: string }).message, 'boom');
});
