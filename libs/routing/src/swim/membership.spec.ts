import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@peerweave/core/testing';
import type { MemberState, MemberUpdate, PeerContact } from '@peerweave/protocol';
import { Awareness } from './awareness.ts';
import { BroadcastQueue } from './broadcast-queue.ts';
import { Membership, type ApplyResult } from './membership.ts';
import { suspicionTimeout } from './swim-math.ts';

const SELF = 'self';
const RETENTION = 60_000;

function contact(id: string, incarnation: number, address = `${id}:7946`): PeerContact {
  return { id, address, role: 'peer', incarnation };
}

function claim(state: MemberState, id: string, incarnation: number, from = 'x'): MemberUpdate {
  return { state, contact: contact(id, incarnation), from };
}

function setup() {
  const clock = new ManualClock(1_000);
  const awareness = new Awareness(8);
  const log: string[] = [];
  const queue = new BroadcastQueue({ retransmitMult: 4, viewSize: () => membership.viewSize });
  const membership: Membership = new Membership({
    self: { id: SELF, address: 'self:7946', role: 'peer' },
    incarnation: 10,
    clock,
    queue,
    awareness,
    probeIntervalMs: 1000,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    suspicionConfirmations: 2,
    deadRetentionMs: RETENTION,
    events: {
      onAlive: (c) => log.push(`alive ${c.id} ${c.incarnation}`),
      onSuspect: (c) => log.push(`suspect ${c.id} ${c.incarnation}`),
      onDead: (c, state) => log.push(`${state} ${c.id} ${c.incarnation}`),
      onRefute: (inc) => log.push(`refute ${inc}`),
    },
  });
  return { clock, awareness, queue, membership, log };
}

/** Puts member `m` in `state` at incarnation 5. */
function known(membership: Membership, state: MemberState): void {
  membership.apply(claim('alive', 'm', 5, 'm'));
  if (state !== 'alive') membership.apply(claim(state, 'm', 5, 'x'));
  assert.equal(membership.stateOf('m'), state);
}

describe('Membership: SWIM incarnation rules', () => {
  // [known state | unknown, update, incarnation (known is 5), expected result, state after, incarnation after]
  type Row = [MemberState | 'unknown', MemberState, number, ApplyResult, MemberState | undefined, number | undefined];
  const matrix: Row[] = [
    ['unknown', 'alive', 5, 'accepted', 'alive', 5],
    ['unknown', 'suspect', 5, 'ignored', undefined, undefined],
    ['unknown', 'dead', 5, 'ignored', undefined, undefined],
    ['unknown', 'left', 5, 'ignored', undefined, undefined],

    ['alive', 'alive', 4, 'ignored', 'alive', 5],
    ['alive', 'alive', 5, 'ignored', 'alive', 5],
    ['alive', 'alive', 6, 'accepted', 'alive', 6],
    ['alive', 'suspect', 4, 'ignored', 'alive', 5],
    ['alive', 'suspect', 5, 'accepted', 'suspect', 5],
    ['alive', 'suspect', 6, 'accepted', 'suspect', 6],
    ['alive', 'dead', 4, 'ignored', 'alive', 5],
    ['alive', 'dead', 5, 'accepted', 'dead', 5],
    ['alive', 'dead', 6, 'accepted', 'dead', 6],
    ['alive', 'left', 4, 'ignored', 'alive', 5],
    ['alive', 'left', 5, 'accepted', 'left', 5],
    ['alive', 'left', 6, 'accepted', 'left', 6],

    ['suspect', 'alive', 4, 'ignored', 'suspect', 5],
    ['suspect', 'alive', 5, 'ignored', 'suspect', 5],
    ['suspect', 'alive', 6, 'accepted', 'alive', 6],
    ['suspect', 'suspect', 4, 'ignored', 'suspect', 5],
    ['suspect', 'suspect', 5, 'confirmed', 'suspect', 5], // another suspecter: a confirmation
    ['suspect', 'suspect', 6, 'accepted', 'suspect', 6],
    ['suspect', 'dead', 4, 'ignored', 'suspect', 5],
    ['suspect', 'dead', 5, 'accepted', 'dead', 5],
    ['suspect', 'dead', 6, 'accepted', 'dead', 6],
    ['suspect', 'left', 5, 'accepted', 'left', 5],

    ['dead', 'alive', 4, 'ignored', 'dead', 5],
    ['dead', 'alive', 5, 'ignored', 'dead', 5],
    ['dead', 'alive', 6, 'accepted', 'alive', 6], // a restart with a higher incarnation
    ['dead', 'suspect', 5, 'ignored', 'dead', 5],
    ['dead', 'suspect', 6, 'ignored', 'dead', 5],
    ['dead', 'dead', 5, 'ignored', 'dead', 5],
    ['dead', 'left', 5, 'ignored', 'dead', 5],
    ['dead', 'dead', 6, 'ignored', 'dead', 6], // no news, but the higher incarnation is kept

    ['left', 'alive', 5, 'ignored', 'left', 5],
    ['left', 'alive', 6, 'accepted', 'alive', 6],
    ['left', 'suspect', 6, 'ignored', 'left', 5],
    ['left', 'dead', 5, 'ignored', 'left', 5],
  ];

  for (const [state, update, inc, result, after, incAfter] of matrix) {
    it(`${state} @5 + ${update} @${inc} → ${result}`, () => {
      const { membership } = setup();
      // Enough other members that confirmations are expected (k = suspicionMult − 2 ≤ n − 2).
      for (let i = 0; i < 5; i++) membership.apply(claim('alive', `f${i}`, 1, `f${i}`));
      if (state !== 'unknown') known(membership, state);
      assert.equal(membership.apply(claim(update, 'm', inc, 'y')), result);
      assert.equal(membership.stateOf('m'), after);
      assert.equal(membership.get('m')?.incarnation, incAfter);
    });
  }

  it('the same suspecter twice is not a confirmation', () => {
    const { membership } = setup();
    for (let i = 0; i < 5; i++) membership.apply(claim('alive', `f${i}`, 1, `f${i}`));
    known(membership, 'suspect'); // suspected by x
    assert.equal(membership.apply(claim('suspect', 'm', 5, 'x')), 'ignored');
  });

  it('queues every accepted update for gossip, and nothing for an ignored one', () => {
    const { membership, queue } = setup();
    membership.apply(claim('alive', 'm', 5, 'm'));
    assert.equal(queue.peek('m')?.state, 'alive');
    membership.apply(claim('suspect', 'm', 5, 'x'));
    assert.deepEqual(queue.peek('m'), claim('suspect', 'm', 5, 'x'));
    queue.clear();
    membership.apply(claim('alive', 'm', 5, 'm'));
    assert.equal(queue.size, 0);
  });

  it('queues news of a member new to it behind every change of a known member', () => {
    const { membership, queue } = setup();
    membership.apply(claim('alive', 'm', 5, 'm'));
    // The news of m was sent a few times before the node learns of others.
    for (let i = 0; i < 3; i++) queue.take(1);
    for (let i = 0; i < 5; i++) membership.apply(claim('alive', `n${i}`, 1, `n${i}`));
    membership.apply(claim('suspect', 'm', 5, 'x'));
    assert.deepEqual(
      queue.take(2).map((u) => `${u.state} ${u.contact.id}`),
      ['suspect m', 'alive n4'],
    );
    // A refutation of a known member is a change of its state too.
    for (let i = 0; i < 3; i++) queue.take(1);
    membership.apply(claim('alive', 'm', 6, 'm'));
    assert.equal(queue.take(1)[0]?.contact.incarnation, 6);
  });

  it('reports new, returning and moved members as alive, and each change once', () => {
    const { membership, log } = setup();
    membership.apply(claim('alive', 'm', 5));
    membership.apply(claim('alive', 'm', 6)); // same address, same state: no onAlive
    membership.apply(claim('suspect', 'm', 6));
    membership.apply(claim('alive', 'm', 7));
    membership.apply(claim('dead', 'm', 7));
    membership.apply({ state: 'alive', contact: contact('m', 8, 'elsewhere:7946'), from: 'm' });
    membership.apply({ state: 'alive', contact: contact('m', 9, 'moved:7946'), from: 'm' });
    assert.deepEqual(log, ['alive m 5', 'suspect m 6', 'alive m 7', 'dead m 7', 'alive m 8', 'alive m 9']);
    assert.equal(membership.get('m')?.contact.address, 'moved:7946');
  });

  it('suspect and dead keep the known address; only alive moves a member', () => {
    const { membership } = setup();
    membership.apply(claim('alive', 'm', 5));
    membership.apply({ state: 'suspect', contact: contact('m', 5, 'bogus:1'), from: 'x' });
    assert.equal(membership.get('m')?.contact.address, 'm:7946');
  });

  it('never retains the received contact object', () => {
    const { membership } = setup();
    const c = { ...contact('m', 5), extra: 'field' };
    membership.apply({ state: 'alive', contact: c, from: 'm' });
    assert.notEqual(membership.get('m')?.contact, c);
    assert.deepEqual(membership.get('m')?.contact, contact('m', 5));
  });

  it('records since at each change of state', async () => {
    const { membership, clock } = setup();
    membership.apply(claim('alive', 'm', 5));
    assert.equal(membership.get('m')?.since, 1_000);
    await clock.advance(500);
    membership.apply(claim('alive', 'm', 6)); // no change of state
    assert.equal(membership.get('m')?.since, 1_000);
    membership.apply(claim('suspect', 'm', 6));
    assert.equal(membership.get('m')?.since, 1_500);
  });
});

describe('Membership: claims about itself', () => {
  it('refutes a suspicion at its incarnation by raising it, gossiping alive and counting ill health', () => {
    const { membership, queue, awareness, log } = setup();
    assert.equal(membership.apply(claim('suspect', SELF, 10)), 'refuted');
    assert.equal(membership.incarnation, 11);
    assert.equal(awareness.score, 1);
    assert.deepEqual(queue.peek(SELF), {
      state: 'alive',
      contact: { id: SELF, address: 'self:7946', role: 'peer', incarnation: 11 },
      from: SELF,
    });
    assert.deepEqual(log, ['refute 11']);
    assert.equal(membership.stateOf(SELF), 'alive');
  });

  it('raises its incarnation above the accusation', () => {
    const { membership } = setup();
    assert.equal(membership.apply(claim('dead', SELF, 41)), 'refuted');
    assert.equal(membership.incarnation, 42);
    assert.equal(membership.apply(claim('left', SELF, 42)), 'refuted');
    assert.equal(membership.incarnation, 43);
  });

  it('ignores accusations older than its incarnation and its own alive', () => {
    const { membership, queue, awareness } = setup();
    assert.equal(membership.apply(claim('suspect', SELF, 9)), 'ignored');
    assert.equal(membership.apply(claim('dead', SELF, 3)), 'ignored');
    assert.equal(membership.apply(claim('alive', SELF, 10)), 'ignored');
    assert.equal(membership.apply(claim('alive', SELF, 7)), 'ignored');
    assert.equal(membership.incarnation, 10);
    assert.equal(awareness.score, 0);
    assert.equal(queue.size, 0);
  });

  it('beats an alive claim from an earlier life with a higher incarnation', () => {
    const { membership } = setup();
    assert.equal(membership.apply(claim('alive', SELF, 50)), 'refuted');
    assert.equal(membership.incarnation, 51);
  });

  it('after leaving, queues left(self) at a raised incarnation and no longer refutes', () => {
    const { membership, queue } = setup();
    const update = membership.leave();
    assert.equal(update.state, 'left');
    assert.equal(update.contact.incarnation, 11);
    assert.equal(queue.peek(SELF)?.state, 'left');
    assert.equal(membership.apply(claim('dead', SELF, 11)), 'ignored');
    assert.equal(membership.incarnation, 11);
    assert.equal(membership.stateOf(SELF), 'left');
  });
});

describe('Membership: suspicion timers', () => {
  function withMembers(count: number) {
    const s = setup();
    for (let i = 0; i < count; i++) s.membership.apply(claim('alive', `n${i}`, 1, `n${i}`));
    return s;
  }

  it('declares a suspect dead when its timer runs out, at the maximum without confirmations', async () => {
    const { membership, clock, queue, log } = withMembers(10); // n = 11
    const min = suspicionTimeout(4, 11, 1000);
    assert.equal(membership.suspicionTimeoutMs(), min);
    membership.apply(claim('suspect', 'n0', 1, 'x'));
    await clock.advance(6 * min - 1);
    assert.equal(membership.stateOf('n0'), 'suspect');
    await clock.advance(1);
    assert.equal(membership.stateOf('n0'), 'dead');
    assert.deepEqual(queue.peek('n0'), { state: 'dead', contact: contact('n0', 1), from: SELF });
    assert.deepEqual(log.slice(-2), ['suspect n0 1', 'dead n0 1']);
  });

  it('confirmations from k = suspicionMult − 2 other suspecters bring it down to the minimum', async () => {
    const { membership, clock } = withMembers(10);
    const min = suspicionTimeout(4, 11, 1000);
    membership.apply(claim('suspect', 'n0', 1, 'x'));
    assert.equal(membership.apply(claim('suspect', 'n0', 1, 'y')), 'confirmed');
    assert.equal(membership.suspect('n0'), 'confirmed'); // our own failed probe counts too
    await clock.advance(min - 1);
    assert.equal(membership.stateOf('n0'), 'suspect');
    await clock.advance(1);
    assert.equal(membership.stateOf('n0'), 'dead');
  });

  it('a refutation cancels the timer', async () => {
    const { membership, clock } = withMembers(10);
    membership.apply(claim('suspect', 'n0', 1, 'x'));
    membership.apply(claim('alive', 'n0', 2, 'n0'));
    await clock.advance(10 * 6 * membership.suspicionTimeoutMs());
    assert.equal(membership.stateOf('n0'), 'alive');
  });

  it('with too few members to confirm, the minimum applies from the start', async () => {
    const { membership, clock } = withMembers(2); // n = 3: n − 2 < k
    membership.apply(claim('suspect', 'n0', 1, 'x'));
    await clock.advance(suspicionTimeout(4, 3, 1000));
    assert.equal(membership.stateOf('n0'), 'dead');
  });

  it('dispose stops every timer', async () => {
    const { membership, clock } = withMembers(10);
    membership.suspect('n0');
    membership.dispose();
    await clock.advance(10 * 60_000);
    assert.equal(membership.stateOf('n0'), 'suspect');
  });
});

describe('Membership: dead retention', () => {
  it('lists dead and left members, rejects their stale alive claims, then forgets them', async () => {
    const { membership, clock } = setup();
    membership.apply(claim('alive', 'd', 5));
    membership.apply(claim('alive', 'l', 5));
    membership.apply(claim('dead', 'd', 5));
    membership.apply(claim('left', 'l', 5));
    assert.deepEqual(
      membership.members().map((m) => [m.contact.id, m.state]),
      [
        ['d', 'dead'],
        ['l', 'left'],
      ],
    );
    assert.deepEqual(membership.counts(), { alive: 0, suspect: 0, dead: 1, left: 1 });
    assert.equal(membership.viewSize, 1);
    assert.deepEqual(membership.deadContacts(), [contact('d', 5)]); // dead only, not left

    await clock.advance(RETENTION - 1);
    assert.equal(membership.sweep(), 0);
    assert.equal(membership.apply(claim('alive', 'd', 5)), 'ignored'); // a stale claim is still rejected

    await clock.advance(1);
    assert.equal(membership.sweep(), 2);
    assert.equal(membership.stateOf('d'), undefined);
    assert.deepEqual(membership.members(), []);
    assert.deepEqual(membership.counts(), { alive: 0, suspect: 0, dead: 0, left: 0 });
  });

  it('learn adds a routing-table contact silently, once', () => {
    const { membership, queue, log } = setup();
    membership.learn(contact('t', 3));
    membership.learn(contact('t', 9));
    assert.equal(membership.get('t')?.incarnation, 3);
    assert.equal(membership.stateOf('t'), 'alive');
    assert.equal(queue.size, 0);
    assert.deepEqual(log, []);
  });

  it('a throwing listener does not break the state machine', () => {
    const clock = new ManualClock();
    const queue = new BroadcastQueue({ retransmitMult: 4, viewSize: () => membership.viewSize });
    const membership: Membership = new Membership({
      self: { id: SELF, address: 'a', role: 'peer' },
      incarnation: 1,
      clock,
      queue,
      awareness: new Awareness(8),
      probeIntervalMs: 1000,
      suspicionMult: 4,
      suspicionMaxTimeoutMult: 6,
      suspicionConfirmations: 2,
      deadRetentionMs: RETENTION,
      events: {
        onAlive: () => {
          throw new Error('listener bug');
        },
      },
    });
    assert.equal(membership.apply(claim('alive', 'm', 1)), 'accepted');
    assert.equal(membership.stateOf('m'), 'alive');
  });
});
