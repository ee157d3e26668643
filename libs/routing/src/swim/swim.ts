import {
  InvalidArgumentError,
  NotFoundError,
  noopMetrics,
  shuffle,
  silentLogger,
  withDeadline,
  type AbortOptions,
  type Clock,
  type TimerHandle,
  type Counter,
  type Gauge,
  type Logger,
  type Metrics,
  type Random,
  type Startable,
} from '@peerweave/core';
import {
  MAX_UPDATES_PER_MESSAGE,
  MEMBER_STATES,
  type Envelope,
  type LeaveRequest,
  type LeaveResponse,
  type MemberState,
  type MemberUpdate,
  type PeerCallContext,
  type ConnectionControl,
  type ConnectionEvents,
  type PeerContact,
  type RoutingClient,
  type PingReqRequest,
  type PingReqResponse,
  type PingRequest,
  type PingResponse,
} from '@peerweave/protocol';
import { AckRtt, probeTiming } from './ack-rtt.ts';
import { Awareness } from './awareness.ts';
import { BroadcastQueue } from './broadcast-queue.ts';
import { isContact, isUpdate } from './envelope-checks.ts';
import { Membership, type MemberInfo, type MembershipEvents } from './membership.ts';
import { ProbeOrder } from './probe-order.ts';
import { firstAck, lateThresholdMs, settleWithin, untilAborted, untilSettledOrAborted, type Attempt } from './probe-wait.ts';
import { resolveSwimTuning, type SwimTuning } from './swim-config.ts';

/** Listeners of membership changes; the routing node adds and drops contacts on them. */
export type SwimEvents = MembershipEvents;

/** Everything but the injected parts is optional; listeners are plain callbacks. */
/** Periods between two membership sweeps (forgetting expired dead and unwanted members). */
export const SWEEP_EVERY_PERIODS = 10;

/** What SWIM needs of the transport: the routing methods, news of lost connections, and resetIfIdle. */
export type SwimTransport = RoutingClient & ConnectionEvents & Pick<ConnectionControl, 'resetIfIdle'>;

export interface SwimInit extends Partial<SwimTuning>, SwimEvents {
  /** This node: id, peer-protocol address and role. */
  self: { readonly id: string; readonly address: string; readonly role: string };
  /**
   * Starting incarnation. Pass clock.now() so that a restart always starts above anything the
   * previous run claimed, and is taken back at once. Default: clock.now().
   */
  incarnation?: number;
  /**
   * The routing methods; with onConnectionLost (a PeerTransport has it), lost connections are
   * probed at once, and with resetIfIdle a connection that failed a direct probe of a member who
   * acked through a helper is replaced (see #directPathFailed).
   */
  transport: SwimTransport;
  clock: Clock;
  random: Random;
  logger?: Logger;
  metrics?: Metrics;
  /** Live members worth remembering (see MembershipInit.retain): the routing table's. */
  retain?: (id: string) => boolean;
  /** Members new to this node whose alive news is gossiped on (see MembershipInit.spread): the table's. */
  spread?: (id: string) => boolean;
  /**
   * The contacts to probe: the routing table's. SWIM runs over each node's own contacts, not a
   * global member list, so it scales with the table (O(k·log N)), not with N.
   */
  targets: () => readonly PeerContact[];
  /** Ids of the neighbourhood, probed in every other probe slot: their death starts replica repair. */
  priority?: () => ReadonlySet<string>;
}


/**
 * Share of the time left in the period that a helper may spend probing the target for us: the
 * rest carries its answer back, so that a "no ack" (a nack, in Lifeguard's terms) arrives in time
 * to prove that our own messages get through.
 */
const HELPER_TIMEOUT_SHARE = 0.8;

/**
 * Members a refutation or a death is sent to at once (see #push). In a 22-node in-process storm
 * (bench-like random stalls of up to 1.5 s) pushing refutations to 4 cut the suspicions every view
 * counted by about a sixth; 8 did no better.
 */
const PUSH_FANOUT = 4;

/** News waiting for a push (see #push) beyond this many drops the oldest: probes still carry it. */
const PUSH_BACKLOG = 64;

/** Out-of-turn probes of members whose connection was lost (see #connectionLost) running at once. */
const MAX_HINTED_PROBES = 4;

/** Suspect members that one period reminds (see #remind) at most. */
const MAX_REMINDERS_PER_PERIOD = 4;

/** Open suspicions of this node carried on each probe, ack and push (see #envelopeFor), at most. */
const OPEN_SUSPICIONS_CARRIED = 2;

/** Peers owed a correction (see #noteStaleClaims) remembered at once; more drop the oldest. */
const MAX_CORRECTED_PEERS = 64;

/**
 * Periods between two reminders of a suspicion this node took from gossip (see #remind); its own
 * suspicions are reminded every period. Every period from every holder sped all gossip up through
 * the suspect's answers: in routing-cluster.spec's saturated machine views counted a fifth more
 * suspicions. Most suspicions are refuted within this many periods and cost no reminder at all.
 */
const GOSSIPED_REMINDER_PERIODS = 4;

/**
 * SWIM failure detection over this node's contacts, with Lifeguard's refinements (memberlist
 * `state.go`). Each probe period (stretched by the local health score) it pings the next target
 * in a shuffled round-robin; without an ack within the probe timeout it asks `indirectChecks`
 * other targets to ping it, and waits for any ack until the end of the period; with none, it
 * suspects the target. Suspicions, deaths, joins and leaves travel piggybacked on every message
 * (see {@link envelope} and {@link receive}); a suspected node that hears of it refutes by raising
 * its incarnation.
 *
 * The serving side is {@link handlePing}, {@link handlePingReq} and {@link handleLeave}; the
 * routing node routes the peer protocol's methods to them and passes every other envelope it
 * sends or receives through {@link envelope} and {@link receive}.
 */
export class Swim implements Startable {
  readonly #tuning: SwimTuning;
  readonly #transport: SwimTransport;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #targets: () => readonly PeerContact[];
  readonly #priority: (() => ReadonlySet<string>) | undefined;
  readonly #awareness: Awareness;
  /** Round trips of this node's direct probes (see {@link AckRtt}). */
  readonly #rtt = new AckRtt();
  readonly #queue: BroadcastQueue;
  readonly #membership: Membership;
  readonly #order: ProbeOrder;
  readonly #priorityOrder: ProbeOrder;
  readonly #probes: Counter<'result'>;
  readonly #connectionResets: Counter;
  readonly #members: Gauge<'state'>;
  #slot = 0;
  #periods = 0;
  /** The last period's sleep woke late (see #checkLoopLag). */
  #loopLagging = false;
  /**
   * Newly suspected members to probe in the next period (Lifeguard's buddy system, adapted to
   * partial views): the ping carries the suspicion, so a live member hears of it and refutes at
   * once instead of waiting for gossip that, with partial views, may never reach it in time.
   */
  readonly #recheck = new Set<string>();
  /** Members this node holds suspect, with the period of their next reminder and the periods between two (see #remind). */
  readonly #suspected = new Map<string, { next: number; every: number }>();
  /** Deaths to tell a peer whose message still held the member suspect or alive (see #noteStaleClaims). */
  readonly #corrections = new Map<string, MemberUpdate[]>();
  /** Rotates the open suspicions carried (see #envelopeFor). */
  #carried = 0;
  /** Members whose connection was lost while MAX_HINTED_PROBES were running: probed in the next slots. */
  readonly #soon = new Set<string>();
  #controller: AbortController | undefined;
  /** News waiting to be pushed, when the last push went out, and the push waiting for its gap (see #push). */
  readonly #pushing: MemberUpdate[] = [];
  #lastPushAt: number | undefined;
  #pushTimer: TimerHandle | undefined;
  /** Members probed out of turn because their connection was lost (see #connectionLost). */
  readonly #hinted = new Set<string>();
  #unwatchConnections: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /**
   * #liveTargets' last answer for the targets array it was built from; `gone` holds the targets it
   * left out as dead or left, and `stale` is set when a target died, left or came back since (see
   * the onUpdate listener, which updates a live target's contact in place).
   */
  #live: { targets: readonly PeerContact[]; map: Map<string, PeerContact>; gone: Set<string>; stale: boolean } | undefined;
  /** The targets the round-robin order last chose from (the cached map: unchanged if the same). */
  #lastProbed: ReadonlyMap<string, PeerContact> | undefined;
  /** The membership version when the round-robin order last chose. */
  #lastProbedVersion = -1;

  constructor(init: SwimInit) {
    this.#tuning = resolveSwimTuning(init);
    this.#transport = init.transport;
    this.#clock = init.clock;
    this.#random = init.random;
    this.#logger = (init.logger ?? silentLogger).child({ component: 'swim' });
    this.#targets = init.targets;
    this.#priority = init.priority;
    this.#order = new ProbeOrder(init.random);
    this.#priorityOrder = new ProbeOrder(init.random);
    this.#awareness = new Awareness(this.#tuning.awarenessMaxMultiplier);
    this.#queue = new BroadcastQueue({
      retransmitMult: this.#tuning.retransmitMult,
      viewSize: () => this.#membership.viewSize,
    });

    const metrics = init.metrics ?? noopMetrics;
    this.#probes = metrics.counter({
      name: 'peerweave_swim_probes_total',
      help: 'Probe periods by outcome: ack (direct), indirect_ack (through a helper), failed (target suspected).',
      labelNames: ['result'],
    });
    this.#connectionResets = metrics.counter({
      name: 'peerweave_swim_connection_resets_total',
      help: 'Idle connections to a member replaced because a direct probe failed while the member acked through a helper.',
    });
    const suspicions = metrics.counter({
      name: 'peerweave_swim_suspicions_total',
      help: 'Members that became suspect in this node’s view.',
    });
    const refutations = metrics.counter({
      name: 'peerweave_swim_refutations_total',
      help: 'Times this node raised its incarnation to deny a suspicion or death of itself.',
    });
    // Labelled, so it is set on every change: a collect callback can only report one series.
    this.#members = metrics.gauge({
      name: 'peerweave_swim_members',
      help: 'Members this node knows, by SWIM state.',
      labelNames: ['state'],
    });
    metrics.gauge({
      name: 'peerweave_swim_local_health_score',
      help: 'Lifeguard local health score: 0 is healthy; probe periods are stretched by score + 1.',
      collect: () => this.#awareness.score,
    });

    const events: SwimEvents = init;
    this.#membership = new Membership({
      self: { id: init.self.id, address: init.self.address, role: init.self.role },
      incarnation: init.incarnation ?? init.clock.now(),
      clock: init.clock,
      queue: this.#queue,
      awareness: this.#awareness,
      probeIntervalMs: this.#tuning.probeIntervalMs,
      suspicionMult: this.#tuning.suspicionMult,
      suspicionMaxTimeoutMult: this.#tuning.suspicionMaxTimeoutMult,
      suspicionConfirmations: this.#tuning.suspicionConfirmations,
      deadRetentionMs: this.#tuning.deadRetentionMs,
      logger: this.#logger,
      ...(init.retain ? { retain: init.retain } : {}),
      ...(init.spread ? { spread: init.spread } : {}),
      events: {
        onAlive: (contact) => events.onAlive?.(contact),
        onSuspect: (contact) => {
          suspicions.inc();
          this.#recheck.add(contact.id);
          this.#suspected.set(contact.id, { next: this.#periods + GOSSIPED_REMINDER_PERIODS, every: GOSSIPED_REMINDER_PERIODS });
          this.#logger.debug({ member: contact.id, incarnation: contact.incarnation }, 'member suspected');
          events.onSuspect?.(contact);
        },
        onDead: (contact, state) => {
          this.#logger.info({ member: contact.id, address: contact.address, state }, `member ${state}`);
          events.onDead?.(contact, state);
        },
        onUpdate: (change) => {
          // Every change of a member's state or contact comes here (Membership bumps its version
          // only with one): only a target's touches the probe targets. A live target that stays
          // live (suspected, refuted, at a new incarnation) is updated in place, in its place in
          // the order, as a rebuild would have it; a rebuild on each was a twentieth of the
          // simulator's CPU at 1 000 nodes under loss. One that is gone or comes back rebuilds.
          const live = this.#live;
          const id = change.member.contact.id;
          if (live !== undefined && !live.stale) {
            const state = change.member.state;
            if (live.map.has(id) && (state === 'alive' || state === 'suspect')) live.map.set(id, change.member.contact);
            else if (live.map.has(id) || live.gone.has(id)) live.stale = true;
          }
          this.#updateMemberGauge();
          if (change.member.state === 'dead' && (change.previous === 'alive' || change.previous === 'suspect')) {
            this.#push({ state: 'dead', contact: change.member.contact, from: change.update.from });
          }
          events.onUpdate?.(change);
        },
        onRefute: (incarnation, accusation) => {
          refutations.inc();
          this.#push({ state: 'alive', contact: this.#membership.self, from: this.selfId });
          events.onRefute?.(incarnation, accusation);
        },
      },
    });
    this.#updateMemberGauge();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.#controller !== undefined) return;
    this.#controller = new AbortController();
    this.#unwatchConnections = this.#transport.onConnectionLost?.((address) => this.#connectionLost(address));
    this.#loop = this.#run(this.#controller.signal);
  }

  async stop(): Promise<void> {
    this.#controller?.abort();
    this.#unwatchConnections?.();
    this.#unwatchConnections = undefined;
    if (this.#pushTimer !== undefined) this.#clock.clearTimeout(this.#pushTimer);
    this.#pushTimer = undefined;
    await this.#loop;
    this.#membership.dispose();
  }

  /**
   * Graceful departure: stops probing, queues left(self) with a raised incarnation and sends Leave
   * directly to the whole neighbourhood and `leaveFanout` other targets, waiting at most
   * `leaveTimeoutMs`. Call before {@link stop}; the others mark this node `left`, not dead.
   */
  async leave(options: AbortOptions = {}): Promise<void> {
    if (this.#membership.hasLeft) return;
    const update = this.#membership.leave();
    this.#controller?.abort();

    const targets = this.#liveTargets();
    const neighbourhood = this.#priority?.() ?? new Set<string>();
    const near = [...targets.values()].filter((c) => neighbourhood.has(c.id));
    const others = shuffle(
      [...targets.values()].filter((c) => !neighbourhood.has(c.id)),
      this.#random,
    ).slice(0, this.#tuning.leaveFanout);
    const recipients = [...near, ...others];
    this.#logger.info({ recipients: recipients.length, incarnation: update.contact.incarnation }, 'leaving');

    const deadline = withDeadline(this.#tuning.leaveTimeoutMs, { clock: this.#clock, signal: options.signal });
    try {
      const calls = recipients.map(async (contact) => {
        const request: LeaveRequest = {
          sender: this.#membership.self,
          updates: [update, ...this.#take(this.#tuning.maxPiggyback).filter((u) => u.contact.id !== this.selfId)].slice(
            0,
            Math.max(1, this.#tuning.maxPiggyback),
          ),
        };
        try {
          const response = await this.#transport.request(contact.address, 'leave', request, {
            signal: deadline.signal,
            deadlineMs: this.#tuning.leaveTimeoutMs,
            expectId: contact.id,
          });
          this.receive(response);
        } catch (err) {
          this.#logger.debug({ err, member: contact.id }, 'leave not delivered');
        }
      });
      await untilSettledOrAborted(calls, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  get selfId(): string {
    return this.#membership.selfId;
  }

  /** This node's contact with its current incarnation. */
  get self(): PeerContact {
    return this.#membership.self;
  }

  get incarnation(): number {
    return this.#membership.incarnation;
  }

  /** Lifeguard local health: 0 is healthy, up to awarenessMaxMultiplier − 1. */
  get awarenessScore(): number {
    return this.#awareness.score;
  }

  stateOf(id: string): MemberState | undefined {
    return this.#membership.stateOf(id);
  }

  /** Every member this node knows (itself excluded), dead and left ones until they are forgotten. */
  members(): MemberInfo[] {
    return this.#membership.members();
  }

  /** The contacts of the members held dead (not left), without a record per member (see Membership.deadContacts). */
  deadContacts(): PeerContact[] {
    return this.#membership.deadContacts();
  }

  /** The current minimum suspicion timeout: suspicionMult × max(1, log10(n)) × probeInterval. */
  suspicionTimeoutMs(): number {
    return this.#membership.suspicionTimeoutMs();
  }

  /** The longest a suspicion can last: suspicionMaxTimeoutMult × {@link suspicionTimeoutMs}. */
  suspicionMaxTimeoutMs(): number {
    return this.#tuning.suspicionMaxTimeoutMult * this.#membership.suspicionTimeoutMs();
  }

  /** The current probe period: probeInterval × (awareness score + 1). */
  probePeriodMs(): number {
    return this.#timing().periodMs;
  }

  /** This period's ack deadline and length: Lifeguard's score and the observed round trips (see {@link probeTiming}). */
  #timing(): { ackTimeoutMs: number; periodMs: number } {
    return probeTiming(this.#tuning, this.#awareness.score, this.#rtt.boundMs);
  }

  /** Updates waiting to be piggybacked. */
  get queuedUpdates(): number {
    return this.#queue.size;
  }

  // ---- dissemination ---------------------------------------------------------------------------

  /** The envelope for any outgoing peer message: own contact and the next updates to gossip. */
  envelope(): Envelope {
    return { sender: this.#membership.self, updates: this.#take(this.#tuning.maxPiggyback) };
  }

  /** Up to `room` queued updates, join news at most maxJoinPiggyback of them (see DEFAULT_MAX_JOIN_PIGGYBACK). */
  #take(room: number): MemberUpdate[] {
    return this.#queue.take(room, this.#tuning.maxJoinPiggyback);
  }

  /**
   * The envelope for a message to `peer` outside the probe loop (the routing node's join round):
   * if this node holds it suspect or dead, the claim goes first, so that a live peer refutes in its
   * answer (see {@link handlePing}), and one round trip takes it back.
   */
  envelopeTo(peer: PeerContact): Envelope {
    return this.#envelopeFor(peer);
  }

  /**
   * Learns from any incoming peer message: its sender is alive at the incarnation it states
   * (contacts are learnt from every message), then each piggybacked update is applied. A message
   * claiming to come from this node itself is ignored; malformed entries are skipped.
   */
  receive(envelope: Envelope): void {
    const sender = envelope?.sender;
    if (!isContact(sender) || sender.id === this.selfId) return;
    this.#membership.apply({ state: 'alive', contact: sender, from: sender.id });
    const updates = Array.isArray(envelope.updates) ? envelope.updates : [];
    const count = Math.min(updates.length, MAX_UPDATES_PER_MESSAGE);
    for (let i = 0; i < count; i++) {
      const update: unknown = updates[i];
      if (!isUpdate(update)) continue;
      this.#membership.apply(update);
      if (update.contact.id !== this.selfId && update.contact.id !== sender.id) this.#noteStaleClaims(sender.id, update);
    }
  }

  /**
   * The sender of `update` still holds a member suspect or alive that this node holds dead (at that
   * incarnation or above): the death goes first in this node's next message to it (the answer, when
   * `update` came in a probe). Gossip stops carrying an update after its retransmit limit, and after
   * a crash every node declares the death within a few milliseconds of the others, so its sends are
   * spent between nodes that all know it; a node that missed them (no push picked it) held the
   * member suspect until its own timer's maximum ran out. In-process, 22 nodes probing every second:
   * one view of a SIGKILLed node turned dead 16 s after the kill (its timer's maximum) while the
   * other 20 had it at 2.7 s. Its open suspicions ride on its probes and acks (see #envelopeFor), so
   * the first node that holds the death and hears from it answers with the death.
   */
  #noteStaleClaims(peerId: string, update: MemberUpdate): void {
    const death = this.#membership.goneClaimBeating(update);
    if (death === undefined) return;
    let owed = this.#corrections.get(peerId);
    if (owed === undefined) {
      if (this.#corrections.size >= MAX_CORRECTED_PEERS) this.#corrections.delete(this.#corrections.keys().next().value!);
      owed = [];
      this.#corrections.set(peerId, owed);
    }
    if (!owed.some((u) => u.contact.id === death.contact.id) && owed.length < this.#tuning.maxPiggyback) owed.push(death);
  }

  // ---- serving ---------------------------------------------------------------------------------

  /** Ack of a direct probe. Rejects with NOT_FOUND when the caller expected another node here. */
  async handlePing(request: PingRequest): Promise<PingResponse> {
    this.#checkSender(request);
    this.receive(request);
    if (typeof request.target === 'string' && request.target !== '' && request.target !== this.selfId) {
      throw new NotFoundError(`this node is not ${request.target.slice(0, 12)}…`, {
        details: { expected: request.target, actual: this.selfId },
      });
    }
    return this.#envelopeFor(request.sender);
  }

  /** Indirect probe on the caller's behalf: pings the target and answers whether it acked. */
  async handlePingReq(request: PingReqRequest, context: PeerCallContext): Promise<PingReqResponse> {
    this.#checkSender(request);
    if (!isContact(request.target)) throw new InvalidArgumentError('pingReq: target must be a contact');
    this.receive(request);
    let acked = true;
    if (request.target.id !== this.selfId) {
      const known = this.#membership.get(request.target.id);
      const target = known !== undefined && known.incarnation >= request.target.incarnation ? known.contact : request.target;
      // Bounded here too, whatever the transport does with deadlineMs.
      const timeoutMs = this.#helperTimeout(request.timeoutMs);
      const deadline = withDeadline(timeoutMs, { clock: this.#clock, signal: context.signal });
      try {
        acked = await this.#ping(target, timeoutMs, deadline.signal);
      } finally {
        deadline.clear();
      }
    }
    return { ...this.#envelopeFor(request.sender), acked };
  }

  /** A member announces its graceful departure. */
  async handleLeave(request: LeaveRequest): Promise<LeaveResponse> {
    this.#checkSender(request);
    this.receive(request);
    if (request.sender.id !== this.selfId) {
      this.#membership.apply({ state: 'left', contact: request.sender, from: request.sender.id });
    }
    return this.envelope();
  }

  // ---- probing ---------------------------------------------------------------------------------

  async #run(signal: AbortSignal): Promise<void> {
    try {
      // A random stagger, so that nodes started together do not probe in lockstep (memberlist).
      await this.#clock.sleep(this.#random.int(this.#tuning.probeIntervalMs), { signal });
      while (!signal.aborted) {
        const { periodMs, ackTimeoutMs } = this.#timing();
        const due = this.#clock.now() + periodMs;
        // The period's deadline is also the loop's wake-up for the next period: one timer a
        // period, left to fire. Node leaves a cleared timer's wake-up armed (the loop wakes at its
        // old time to find nothing due), so clearing the deadline after the ack and sleeping on a
        // timer of its own cost an idle node an extra wake-up every period (see #probe).
        const period = withDeadline(periodMs, { clock: this.#clock, signal });
        try {
          const target = this.#nextTarget();
          this.#remind(target?.id, periodMs, signal);
          if (target !== undefined) await this.#probe(target, periodMs, ackTimeoutMs, signal, period.signal);
          // Retention is minutes long: a sweep every few periods is enough, and it scans every member.
          if (++this.#periods % SWEEP_EVERY_PERIODS === 0) this.#membership.sweep();
          await untilAborted(period.signal);
        } finally {
          period.clear();
        }
        if (!signal.aborted) this.#checkLoopLag(this.#clock.now() - due);
      }
    } catch (err) {
      if (!signal.aborted) this.#logger.error({ err }, 'probe loop failed');
    }
  }

  /**
   * Targets that are neither this node nor known to be gone, by id, with the freshest contact.
   * Targets new to the membership are recorded as alive on the way: the routing table vouches for
   * them, and they need a state to be suspected from.
   */
  #liveTargets(): ReadonlyMap<string, PeerContact> {
    // Rebuilt only when the targets (a new array from the table) or one of them changed: the
    // probe loop asks every period, and at 10 000 simulated nodes rebuilding it each time was a
    // sixth of the CPU. A change to a member that is no target (a replacement, a member learnt
    // from gossip) leaves the answer as it was; rebuilding on any membership change was still
    // 8 % of the CPU at 2 000 simulated nodes under 5 % loss.
    const targets = this.#targets();
    const cached = this.#live;
    if (cached !== undefined && cached.targets === targets && !cached.stale) return cached.map;
    const live = new Map<string, PeerContact>();
    const gone = new Set<string>();
    for (const c of targets) {
      if (c.id === this.selfId) continue;
      let contact = this.#membership.liveContact(c.id);
      if (contact === undefined) {
        const known = this.#membership.learn(c);
        contact = known !== undefined && (known.state === 'alive' || known.state === 'suspect') ? known.contact : null;
      }
      if (contact) live.set(c.id, contact);
      else gone.add(c.id);
    }
    this.#live = { targets, map: live, gone, stale: false };
    return live;
  }

  /** Every other slot goes to the neighbourhood, when it has live members; the rest round-robin. */
  #nextTarget(): PeerContact | undefined {
    const live = this.#liveTargets();
    if (live.size === 0) return undefined;
    for (const id of this.#recheck) {
      this.#recheck.delete(id);
      if (this.#membership.stateOf(id) === 'suspect' && live.has(id)) return live.get(id);
    }
    for (const id of this.#soon) {
      this.#soon.delete(id);
      if (live.has(id) && !this.#hinted.has(id)) return live.get(id);
    }
    this.#slot++;
    let id: string | undefined;
    if (this.#priority !== undefined && this.#slot % 2 === 0) {
      const near = new Set([...this.#priority()].filter((p) => live.has(p)));
      id = this.#priorityOrder.next(near);
    }
    // As when the targets were rebuilt on every membership change: the same targets and no
    // change since (a rebuild in between gave a new map, so the scan for new ids ran).
    id ??= this.#order.next(live, live === this.#lastProbed && this.#membership.version === this.#lastProbedVersion);
    this.#lastProbed = live;
    this.#lastProbedVersion = this.#membership.version;
    return id === undefined ? undefined : live.get(id);
  }

  /**
   * One probe of `target` within the period that `periodSignal` ends (the probe loop's; a hinted
   * probe makes its own). Per probe an idle node sets the ack-deadline timer, which wakes the loop
   * once whether it fires or was cleared by the ack, and the mux call's deadline, which shares the
   * period timer's wake-up (same length, set in the same turn of the loop).
   */
  async #probe(target: PeerContact, periodMs: number, ackTimeoutMs: number, loopSignal: AbortSignal, periodSignal?: AbortSignal): Promise<void> {
    const started = this.#clock.now();
    const own = periodSignal === undefined ? withDeadline(periodMs, { clock: this.#clock, signal: loopSignal }) : undefined;
    const period = periodSignal ?? own!.signal;
    try {
      const probeTimeout = Math.min(ackTimeoutMs, periodMs);
      // The direct ping may ack until the end of the period, even after indirect probes started.
      // Only acks within the period are measured: a member that paused or died answers after it,
      // if at all, and learning from that would lengthen the deadlines that are to find it.
      const direct = this.#ping(target, periodMs, period).then((acked) => {
        if (acked) this.#rtt.observe(this.#clock.now() - started);
        return acked;
      });
      const early = await settleWithin(this.#clock, direct, probeTimeout, period, (lateMs) => {
        // Our own loop is lagging: stretch our timeouts before we accuse anyone (Lifeguard).
        this.#awareness.applyDelta(1);
        this.#logger.debug({ member: target.id, lateMs }, 'probe timer fired late: this node is busy');
      });
      if (early === true) {
        this.#probed('ack');
        return;
      }
      if (loopSignal.aborted) return;

      const helpers = this.#pickHelpers(target.id);
      const remaining = started + periodMs - this.#clock.now();
      const helperTimeout = Math.max(1, Math.min(probeTimeout, Math.floor(remaining * HELPER_TIMEOUT_SHARE)));
      const attempts = helpers.map((helper) => this.#pingReq(helper, target, helperTimeout, remaining, period));
      const directAttempt = direct.then((acked): Attempt => (acked ? 'ack' : 'none'));
      const outcome = await firstAck([directAttempt, ...attempts], period);
      if (loopSignal.aborted) return;
      if (outcome.acked) {
        this.#probed(outcome.ackedBy === 0 ? 'ack' : 'indirect_ack');
        if (outcome.ackedBy !== 0) void direct.then((acked) => this.#directPathFailed(target, acked, loopSignal));
        return;
      }

      // Lifeguard: helpers that did not even answer "no ack" suggest our own messages are not
      // getting through; with no helper to ask, any failed probe counts against our health.
      const nacks = outcome.results.slice(1).filter((r) => r === 'nack').length;
      this.#awareness.applyDelta(helpers.length > 0 ? helpers.length - nacks : 1);
      this.#probes.inc({ result: 'failed' });
      this.#logger.debug({ member: target.id, helpers: helpers.length, nacks }, 'probe failed, suspecting');
      // Our own suspicion: reminded every period (the next probe slot rechecks it first).
      if (this.#membership.suspect(target.id) === 'accepted') this.#suspected.set(target.id, { next: this.#periods + 2, every: 1 });
    } finally {
      own?.clear();
    }
  }

  /**
   * Pings the members this node holds suspect, the claim first in the ping, until each refutes or
   * is declared dead: Lifeguard's buddy system, kept up, so that a live suspect refutes in its
   * answer. Its own suspicions every period from the second on (the next probe slot rechecks them
   * first), those taken from gossip every {@link GOSSIPED_REMINDER_PERIODS}. One recheck was not
   * enough with partial views: a suspicion reaches few of the suspect's own contacts by gossip, so
   * when the recheck was lost the suspect never heard of it; and a node that took the suspicion
   * from gossip after the refutation had passed it by (or held the suspect only as a replacement,
   * never probed) let its timer run out. Either way the death then spread to every node that had
   * not heard the refutation: at 5 % message loss and 800 simulated nodes, one member every few
   * hundred periods, declared dead by 8 to 200 nodes. At most {@link MAX_REMINDERS_PER_PERIOD} a
   * period, in turn; `skip` is the period's probe target (its probe carries the claim already).
   */
  #remind(skip: string | undefined, periodMs: number, signal: AbortSignal): void {
    if (this.#suspected.size === 0) return;
    let sent = 0;
    for (const [id, when] of [...this.#suspected]) {
      const known = this.#membership.get(id);
      if (known === undefined || known.state !== 'suspect') {
        this.#suspected.delete(id);
        continue;
      }
      if (id === skip || when.next > this.#periods || sent >= MAX_REMINDERS_PER_PERIOD) continue;
      when.next = this.#periods + when.every;
      // To the end of the turn.
      this.#suspected.delete(id);
      this.#suspected.set(id, when);
      sent++;
      void this.#ping(known.contact, periodMs, signal);
    }
  }

  /**
   * The transport lost a connection that was up to `address`: probe the member there now, out of
   * turn, instead of when the round-robin reaches it. When a process crashes its kernel closes its
   * sockets, so every node that had probed or called it lately learns within a round trip; without
   * this the first probe of a crashed member came after 0–2.5 s (20 peers in Compose: each member
   * is probed about twice a second in all), and several independent suspicions, which bring the
   * suspicion timer down to its minimum, a few periods later still. The probe is an ordinary one
   * (indirect probes, Lifeguard), so a live member (restarted, or closing an idle connection)
   * simply acks; at most {@link MAX_HINTED_PROBES} run at once, more wait for the next slots.
   */
  #connectionLost(address: string): void {
    const signal = this.#controller?.signal;
    if (signal === undefined || signal.aborted) return;
    let target: PeerContact | undefined;
    for (const c of this.#liveTargets().values()) {
      if (c.address === address) target = c;
    }
    if (target === undefined || this.#hinted.has(target.id)) return;
    if (this.#hinted.size >= MAX_HINTED_PROBES) {
      this.#soon.add(target.id);
      return;
    }
    const id = target.id;
    this.#hinted.add(id);
    const { periodMs, ackTimeoutMs } = this.#timing();
    void this.#probe(target, periodMs, ackTimeoutMs, signal).finally(() => this.#hinted.delete(id));
  }

  /**
   * Pings {@link PUSH_FANOUT} random members at once with `update` first in the envelope, so that
   * it reaches them now rather than on the next probes (where it would wait its turn behind
   * whatever else is queued). Two kinds of news take it:
   *
   * - This node's refutation: the members that heard the suspicion run their timers on their own
   *   clocks, and on a busy node the probe period is stretched.
   * - A death, the first time this node hears of it (or declares it). Riding on probes alone, a
   *   death took about a second to reach all of 22 nodes, while the other nodes' own suspicion
   *   timers, started as the suspicion reached each, ran out up to a second apart: in-process
   *   (22 nodes, lan timings, 10 seeds) the last view of a SIGKILLed node turned dead 2.9–4.5 s
   *   after the kill, and 2.1–3.5 s with the push. Each node pushes a death once, so it costs at
   *   most n × 4 pings per death; a false death spreads no further than it would anyway, and its
   *   refutation is pushed the same way.
   *
   * Both are rare (a crash, a live node wrongly suspected), so this costs nothing otherwise;
   * suspicions themselves still spread only on probes, so that they do not outrun the refutation.
   * Pushes are at least a probe timeout apart: news arriving in between waits for the next push,
   * which carries up to maxPiggyback of it, so that many deaths at once (a partition) cost a few
   * pushes, not four pings each; at most {@link PUSH_BACKLOG} wait, the newest.
   */
  #push(update: MemberUpdate): void {
    this.#pushing.push(update);
    if (this.#pushing.length > PUSH_BACKLOG) this.#pushing.shift();
    this.#schedulePush();
  }

  #schedulePush(): void {
    if (this.#pushTimer !== undefined || this.#pushing.length === 0) return;
    const waitMs = this.#lastPushAt === undefined ? 0 : this.#lastPushAt + this.#tuning.probeTimeoutMs - this.#clock.now();
    if (waitMs <= 0) {
      this.#pushNow();
      return;
    }
    this.#pushTimer = this.#clock.setTimeout(() => {
      this.#pushTimer = undefined;
      this.#pushNow();
    }, waitMs);
  }

  #pushNow(): void {
    const signal = this.#controller?.signal;
    if (signal === undefined || signal.aborted) {
      this.#pushing.length = 0;
      return;
    }
    this.#lastPushAt = this.#clock.now();
    const news = this.#pushing.splice(0, this.#tuning.maxPiggyback);
    for (const target of shuffle([...this.#liveTargets().values()], this.#random).slice(0, PUSH_FANOUT)) {
      void this.#ping(target, this.#tuning.probeIntervalMs, signal, news);
    }
    this.#schedulePush();
  }

  /**
   * Local health from this node's own timeliness (Lifeguard's premise, measured directly): the
   * probe loop's sleep that wakes later than half an ack deadline means the event loop is too busy
   * (CPU starved, a burst of work, GC) to read acks in time, so the score rises and stretches the
   * next periods and ack deadlines before this node accuses anyone; an ack in such a period does
   * not lower it. On a saturated machine every node's loop lags, so every prober waits longer: load
   * does not become suspicions. Once the loop is on time again, each acked period lowers it by one.
   */
  #checkLoopLag(lateMs: number): void {
    this.#loopLagging = lateMs >= lateThresholdMs(this.#tuning.probeTimeoutMs);
    if (!this.#loopLagging) return;
    this.#awareness.applyDelta(1);
    this.#logger.debug({ lateMs, score: this.#awareness.score }, 'probe loop woke late: this node is busy');
  }

  /**
   * A member acked through a helper, and this node's own ping of it (settled by the end of the
   * period) got no answer: the member is up and others reach it, so what failed is most likely this
   * node's connection to it (half-open after the member's host lost its state, a NAT or conntrack
   * entry gone). The transport replaces it if nothing else is in flight on it, and the next probe
   * tests a new connection. This is the check that lets the transport's keepalive pings be rare
   * (lan: every 120 s): every connection to a member carries a probe each round, and one that
   * cannot is replaced within that round instead of after keepalive + its timeout. Not while this
   * node's own loop lags (the ack may just have been read late), nor for a connection under calls
   * (those have their own deadlines, and a reset would abort them).
   */
  #directPathFailed(target: PeerContact, acked: boolean, loopSignal: AbortSignal): void {
    if (acked || loopSignal.aborted || this.#loopLagging) return;
    if (this.#transport.resetIfIdle?.(target.address) !== true) return;
    this.#connectionResets.inc();
    this.#logger.debug({ member: target.id, address: target.address }, 'direct probe failed, member acked through a helper: connection replaced');
  }

  #probed(result: 'ack' | 'indirect_ack'): void {
    if (!this.#loopLagging) this.#awareness.applyDelta(-1);
    this.#probes.inc({ result });
  }

  /** Up to indirectChecks random alive targets other than the probed one (memberlist kRandomNodes). */
  #pickHelpers(exclude: string): PeerContact[] {
    const candidates = [...this.#liveTargets().values()].filter(
      (c) => c.id !== exclude && this.#membership.stateOf(c.id) !== 'suspect',
    );
    return shuffle(candidates, this.#random).slice(0, this.#tuning.indirectChecks);
  }

  /** True if `target` acked within `deadlineMs`; never rejects. */
  async #ping(target: PeerContact, deadlineMs: number, signal: AbortSignal, news: readonly MemberUpdate[] = []): Promise<boolean> {
    try {
      const response = await this.#transport.request(
        target.address,
        'ping',
        { ...this.#envelopeFor(target, news), target: target.id },
        // Over mTLS (or ids on the memory network) a node now at the address is not taken for it.
        { signal, deadlineMs, expectId: target.id },
      );
      this.receive(response);
      return response.sender?.id === target.id;
    } catch {
      return false;
    }
  }

  async #pingReq(
    helper: PeerContact,
    target: PeerContact,
    timeoutMs: number,
    deadlineMs: number,
    signal: AbortSignal,
  ): Promise<Attempt> {
    try {
      const response = await this.#transport.request(
        helper.address,
        'pingReq',
        { ...this.#envelopeFor(helper), target, timeoutMs },
        { signal, deadlineMs, expectId: helper.id },
      );
      this.receive(response);
      return response.acked === true ? 'ack' : 'nack';
    } catch {
      return 'none';
    }
  }

  /**
   * The envelope for a message to `peer`: if this node believes the peer suspect or dead, the claim
   * goes first, so that a live peer hears it and refutes at once (memberlist sends a suspect
   * message along with the ping of a suspect node); then `news` being pushed (see #push), then
   * the queue's least-sent updates.
   */
  #envelopeFor(peer: PeerContact, news: readonly MemberUpdate[] = []): Envelope {
    const claims: MemberUpdate[] = [];
    // The state first: get() allocates, and nearly every peer is simply alive.
    const state = this.#membership.stateOf(peer.id);
    if (state !== undefined && state !== 'alive' && peer.id !== this.selfId) {
      const known = this.#membership.get(peer.id)!;
      claims.push({ state: known.state, contact: known.contact, from: this.selfId });
    }
    const owed = this.#corrections.get(peer.id);
    if (owed !== undefined) {
      this.#corrections.delete(peer.id);
      claims.push(...owed);
    }
    this.#carrySuspicions(peer.id, claims);
    const max = this.#tuning.maxPiggyback;
    if (claims.length > max) claims.length = max;
    claims.push(...news.slice(0, Math.max(0, max - claims.length)));
    return {
      sender: this.#membership.self,
      updates: [...claims, ...this.#take(Math.max(0, max - claims.length))],
    };
  }

  /**
   * Adds up to {@link OPEN_SUSPICIONS_CARRIED} of this node's open suspicions (not of `peerId`, whose
   * own claim went first), in turn, each with its first accuser. The queue carries a suspicion only
   * up to its retransmit limit, spent within milliseconds when every neighbour of a crashed member
   * suspects it at once; carried on until it ends, it lets two nodes that each hold it count the
   * other's accuser, and a node that missed the death learn it from the answer (see
   * #noteStaleClaims). Only SWIM's own messages carry them (probes, acks, pushes), one or two
   * claims each while a suspicion is open, nothing otherwise.
   */
  #carrySuspicions(peerId: string, claims: MemberUpdate[]): void {
    const open = this.#suspected.size;
    if (open === 0) return;
    const ids = [...this.#suspected.keys()];
    let added = 0;
    for (let i = 0; i < open && added < OPEN_SUSPICIONS_CARRIED; i++) {
      const id = ids[(this.#carried + i) % open]!;
      if (id === peerId || claims.some((c) => c.contact.id === id)) continue;
      const claim = this.#membership.suspicionClaim(id);
      if (claim === undefined) continue;
      claims.push(claim);
      added++;
    }
    this.#carried = (this.#carried + added) % Math.max(1, open);
  }

  /** A helper's probe time as asked by the caller, kept within what a sane caller would ask. */
  #helperTimeout(requested: unknown): number {
    const ceiling = this.#tuning.probeIntervalMs * this.#tuning.awarenessMaxMultiplier;
    if (typeof requested !== 'number' || !Number.isFinite(requested)) return this.#tuning.probeTimeoutMs;
    return Math.min(ceiling, Math.max(1, requested));
  }

  #checkSender(request: Envelope): void {
    if (!isContact(request?.sender)) throw new InvalidArgumentError('sender must be a contact');
  }

  #updateMemberGauge(): void {
    const counts = this.#membership.counts();
    for (const state of MEMBER_STATES) this.#members.set(counts[state], { state });
  }
}
