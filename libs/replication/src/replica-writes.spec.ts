import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import type { PeerContact } from '@peerweave/protocol';
import { SPECULATIVE_HANDOFF_MS, writeReplicas, type StoreResult } from './replica-writes.ts';
import { contact } from './test-support.ts';
import type { CopyOutcome } from './write-plan.ts';

/** The call deadline a silent node's copy runs into. */
const DEADLINE_MS = 5_000;

/** How a node answers a copy: after `ms` of clock time with `result`; silent: it fails at the deadline. */
type Answer = { ms: number; result: StoreResult } | 'silent';

const [r1, r2, r3, s1, s2, s3] = [contact(1), contact(2), contact(3), contact(4), contact(5), contact(6)];
const name = (p: PeerContact): string => p.id.slice(0, 2);
const brief = (copies: readonly CopyOutcome[]): string[] =>
  copies.map((c) => `${name(c.peer)}${c.hintFor === '' ? '' : `→${c.hintFor.slice(0, 2)}`}:${c.result}`).sort();

function run(answers: Record<string, Answer>, options: { spares?: PeerContact[]; answeredAt?: (id: string) => number | undefined; silent?: (id: string) => boolean } = {}) {
  const clock = new ManualClock(0);
  const calls: string[] = [];
  const writes = writeReplicas({
    cid: 'bafy',
    targets: [r1, r2, r3],
    spares: options.spares ?? [s1, s2, s3],
    w: 2,
    clock,
    ...(options.answeredAt ? { answeredAt: options.answeredAt } : {}),
    ...(options.silent ? { silent: options.silent } : {}),
    store: async (peer, hintFor) => {
      calls.push(`${name(peer)}${hintFor === '' ? '' : `→${hintFor.slice(0, 2)}`}@${clock.now()}`);
      const answer = answers[name(peer)] ?? { ms: 10, result: 'stored' };
      if (answer === 'silent') {
        await clock.sleep(DEADLINE_MS);
        throw new Error('deadline exceeded');
      }
      await clock.sleep(answer.ms);
      return answer.result;
    },
  });
  const when: { enough?: number; settled?: number } = {};
  void writes.enough.then(() => (when.enough = clock.now()));
  void writes.settled.then(() => (when.settled = clock.now()));
  return { clock, calls, writes, when };
}

describe('writeReplicas', () => {
  it('all replicas answer: their copies, no hint, nothing late', async () => {
    const t = run({});
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored', '03:stored']);
    assert.deepEqual(await t.writes.settled, []);
    assert.equal(t.when.enough, 10);
  });

  it('a silent replica gets a hint on the next node after the speculative delay; the write does not wait for its deadline', async () => {
    const t = run({ '03': 'silent' });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored', '04→03:stored']);
    assert.equal(t.when.enough, SPECULATIVE_HANDOFF_MS + 10);
    assert.ok(t.calls.includes(`04→03@${SPECULATIVE_HANDOFF_MS}`), t.calls.join(' '));
    assert.deepEqual(brief(await t.writes.settled), ['03:failed'], 'the replica settles later, at its deadline');
    assert.equal(t.when.settled, DEADLINE_MS);
  });

  it('short of w copies, a silent spare is followed by the next one after the same delay', async () => {
    const t = run({ '02': 'silent', '03': 'silent', '04': 'silent', '05': 'silent' });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '06→02:stored']);
    assert.equal(t.when.enough, 2 * SPECULATIVE_HANDOFF_MS + 10);
  });

  it('with w copies stored, a silent hint is not followed by the next spare: the write does not walk the list', async () => {
    const t = run({ '03': 'silent', '04': 'silent' });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored']);
    assert.equal(t.when.enough, 2 * SPECULATIVE_HANDOFF_MS);
    assert.ok(!t.calls.some((c) => c.startsWith('05')), t.calls.join(' '));
  });

  it('a replica that fails at once is handed off at once, as before', async () => {
    const t = run({ '02': { ms: 1, result: 'failed' } });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:failed', '03:stored', '04→02:stored']);
    assert.equal(t.when.enough, 11);
  });

  it('with w replicas stored and no spare left, a silent replica does not hold the write for its deadline', async () => {
    const t = run({ '03': 'silent' }, { spares: [] });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored']);
    assert.equal(t.when.enough, SPECULATIVE_HANDOFF_MS);
  });

  it('hints in flight, every spare silent: w replicas are enough after the delays', async () => {
    const t = run({ '03': 'silent', '04': 'silent', '05': 'silent', '06': 'silent' });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored']);
    assert.equal(t.when.enough, 2 * SPECULATIVE_HANDOFF_MS);
    assert.deepEqual(brief(await t.writes.settled), ['03:failed'], 'late failed hints are not reported');
  });

  it('fewer than w replicas answer: stored hints make up the quorum (sloppy), without waiting for the silent replicas', async () => {
    const t = run({ '02': 'silent', '03': { ms: 2_000, result: 'stored' } });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.equal(t.when.enough, SPECULATIVE_HANDOFF_MS + 10);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '04→02:stored', '05→03:stored'], 'both have stand-ins');
    assert.deepEqual(brief(await t.writes.settled), ['02:failed', '03:stored'], 'the replicas settle later (the slow one as unpinned cache)');
  });

  it('short of w copies with every node silent: the write ends when the last copy reaches its deadline, bounded by the spares', async () => {
    const t = run({ '02': 'silent', '03': 'silent', '04': 'silent', '05': 'silent', '06': 'silent' });
    await t.clock.advance(DEADLINE_MS * 3);
    // Hints at 500 (04, 05), the next at 1 000 (06); no spare left, so the wait ends at 1 000 + the deadline.
    assert.equal(t.when.enough, 2 * SPECULATIVE_HANDOFF_MS + DEADLINE_MS);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:failed', '03:failed']);
  });

  it('a replica known silent from earlier copies gets its stand-in at once; a spare known silent is passed over', async () => {
    const known = new Set([r3.id, s1.id]);
    const t = run({ '03': 'silent', '04': 'silent' }, { silent: (id) => known.has(id) });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored', '05→03:stored']);
    assert.equal(t.when.enough, 10);
    assert.ok(t.calls.includes('03@0') && t.calls.includes('05→03@0'), `the replica still gets its copy: ${t.calls.join(' ')}`);
    assert.ok(!t.calls.some((c) => c.startsWith('04')), t.calls.join(' '));
  });

  it('a replica that keeps acknowledging other writes is busy, not silent: no hint while it answers', async () => {
    // It acknowledged another copy 100 ms ago at every check; this one takes 1.2 s on its stream.
    const t = run({ '03': { ms: 1_200, result: 'stored' } }, { answeredAt: (id) => (id === r3.id ? t.clock.now() - 100 : undefined) });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:stored', '03:stored']);
    assert.ok(!t.calls.some((c) => c.includes('→')), t.calls.join(' '));
    assert.equal(t.when.enough, 1_200);
  });

  it('a refusal counts as an answer (the caller fails the put), no hint', async () => {
    const t = run({ '02': { ms: 5, result: 'refused' } });
    await t.clock.advance(DEADLINE_MS * 3);
    assert.deepEqual(brief(await t.writes.enough), ['01:stored', '02:refused', '03:stored']);
    assert.equal(t.when.enough, 10);
  });
});
