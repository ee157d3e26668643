import { silentLogger, type Clock, type Logger } from '@peerweave/core';
import type { MemberState, MemberUpdate, PeerContact } from '@peerweave/protocol';
import type { Awareness } from './awareness.ts';
import type { BroadcastQueue } from './broadcast-queue.ts';
import { Suspicion } from './suspicion.ts';
import { suspicionTimeout } from './swim-math.ts';

/** The two ways a member stops being one. */
export type GoneState = 'dead' | 'left';

/** What this node believes about one member. */
export interface MemberInfo {
  /** How to reach it; `contact.incarnation` equals `incarnation`. */
  readonly contact: PeerContact;
  readonly state: MemberState;
  readonly incarnation: number;
  /** Clock time of the last change of state. */
  readonly since: number;
}

/** An update that changed this node's view (reported through {@link MembershipEvents.onUpdate}). */
export interface MemberChange {
  readonly update: MemberUpdate;
  /** State before the update; undefined for a member seen for the first time. */
  readonly previous: MemberState | undefined;
  readonly member: MemberInfo;
}

export interface MembershipEvents {
  /** A member is new, came back (from suspect, dead or left), or moved to another address. */
  onAlive?(contact: PeerContact): void;
  onSuspect?(contact: PeerContact): void;
  onDead?(contact: PeerContact, state: GoneState): void;
  /** Every accepted update, for metrics and logs. */
  onUpdate?(change: MemberChange): void;
  /** This node raised its incarnation to deny `accusation`. */
  onRefute?(incarnation: number, accusation: MemberUpdate): void;
}

export interface MembershipInit {
  self: { readonly id: string; readonly address: string; readonly role: string };
  /** Own starting incarnation; the caller passes clock.now() so a restart always starts higher. */
  incarnation: number;
  clock: Clock;
  /** Where accepted updates go to be gossiped. */
  queue: BroadcastQueue;
  /** Raised when this node has to refute a suspicion of itself. */
  awareness: Awareness;
  probeIntervalMs: number;
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  /** Independent confirmations that bring a suspicion's timer down to its minimum (Lifeguard's K). */
  suspicionConfirmations: number;
  /** How long dead and left members are remembered before they are forgotten. */
  deadRetentionMs: number;
  events?: MembershipEvents;
  logger?: Logger;
  /**
   * Which live members are worth remembering: the routing table's contacts and replacements.
   * Others, learnt only from gossip, are forgotten at the next sweep so that memory and sweep cost
   * stay O(table) instead of O(N). Default: remember everyone (memberlist's full view).
   */
  retain?: (id: string) => boolean;
  /**
   * Whether the news that a member new to this node is alive is worth gossiping on: the routing
   * table keeps it among its members (not merely as a replacement). With partial views nearly
   * every node hears of most members it does not hold, and gossiping each of them on kept every
   * queue full of joins at 2 000 simulated nodes and more (an epidemic that never died out, as
   * each node forgets such members again). News about members already known always spreads.
   * Default: always.
   */
  spread?: (id: string) => boolean;
}

/**
 * How many forgotten members' incarnations are remembered (most recent), so that gossip about them
 * heard again is recognised as old news instead of being accepted and spread once more.
 */
export const FORGOTTEN_MEMORY = 1024;

/** What {@link Membership.apply} did with an update. */
export type ApplyResult = 'accepted' | 'confirmed' | 'refuted' | 'ignored';

interface Entry {
  contact: PeerContact;
  state: MemberState;
  since: number;
  suspicion: Suspicion | undefined;
}

/** Dead or left. Two comparisons, not a Set's hash lookup: asked of every member at each sweep. */
function isGone(state: MemberState): boolean {
  return state === 'dead' || state === 'left';
}

/**
 * Every member this node knows and SWIM's rules for changing what it believes (memberlist
 * `state.go`: aliveNode, suspectNode, deadNode, refute). Incarnation numbers order the claims:
 * only the member raises its own, so a newer alive beats any older suspicion and a suspicion or a
 * death at the current incarnation beats alive.
 *
 * - alive(i): accepted for an unknown member or when i > known, whatever the state, so a restarted
 *   node (higher incarnation) is taken back at once.
 * - suspect(i): accepted when the member is alive and i ≥ known, or suspect and i > known; a
 *   suspect claim from another suspecter confirms the running suspicion timer.
 * - dead(i) / left(i): accepted when i ≥ known and the member is not already gone.
 * - about this node: a suspicion, death or leave claim at ≥ own incarnation, or an alive claim
 *   above it, is refuted by raising the own incarnation past it and gossiping alive(self).
 *
 * Dead and left members are kept for `deadRetentionMs` (listed, and still rejecting alive claims
 * with an old incarnation), then forgotten. Claims about unknown members other than alive are
 * ignored, as in memberlist: only nodes that know a member care about its fate.
 */
export class Membership {
  readonly #selfInit: MembershipInit['self'];
  readonly #clock: Clock;
  readonly #queue: BroadcastQueue;
  readonly #awareness: Awareness;
  readonly #probeIntervalMs: number;
  readonly #suspicionMult: number;
  readonly #suspicionMaxTimeoutMult: number;
  readonly #suspicionConfirmations: number;
  readonly #deadRetentionMs: number;
  readonly #events: MembershipEvents;
  readonly #logger: Logger;
  readonly #members = new Map<string, Entry>();
  readonly #forgotten = new Map<string, number>();
  /** Deaths and leaves of members this node does not hold, already forwarded once (bounded). */
  readonly #rumours = new Map<string, number>();
  readonly #retain: ((id: string) => boolean) | undefined;
  readonly #spread: ((id: string) => boolean) | undefined;
  readonly #counts: Record<MemberState, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
  #incarnation: number;
  #left = false;
  /** Bumped by every change of who is known, their state or contact (see {@link version}). */
  #version = 0;

  constructor(init: MembershipInit) {
    this.#selfInit = init.self;
    this.#incarnation = init.incarnation;
    this.#clock = init.clock;
    this.#queue = init.queue;
    this.#awareness = init.awareness;
    this.#probeIntervalMs = init.probeIntervalMs;
    this.#suspicionMult = init.suspicionMult;
    this.#suspicionMaxTimeoutMult = init.suspicionMaxTimeoutMult;
    this.#suspicionConfirmations = init.suspicionConfirmations;
    this.#deadRetentionMs = init.deadRetentionMs;
    this.#events = init.events ?? {};
    this.#logger = init.logger ?? silentLogger;
    this.#retain = init.retain;
    this.#spread = init.spread;
  }

  get selfId(): string {
    return this.#selfInit.id;
  }

  /** This node's own contact with its current incarnation. */
  get self(): PeerContact {
    return { ...this.#selfInit, incarnation: this.#incarnation };
  }

  get incarnation(): number {
    return this.#incarnation;
  }

  /** True once {@link leave} was called: accusations are no longer refuted. */
  get hasLeft(): boolean {
    return this.#left;
  }

  /**
   * Changes whenever a known member changes state or gets a new contact: callers that derive
   * something from the members they asked about (the probe targets) rebuild it only then. Learning
   * a new member does not change it, nor does a sweep forgetting one: it forgets only members the
   * routing table no longer holds and members long gone, neither of them a probe target (at
   * 10 000 simulated nodes the sweeps' bumps had every node rebuild its targets every few periods).
   */
  get version(): number {
    return this.#version;
  }

  /** Members believed alive or suspect, this node excluded. */
  get liveCount(): number {
    return this.#counts.alive + this.#counts.suspect;
  }

  /** n of the SWIM formulas: the live members this node knows, itself included. */
  get viewSize(): number {
    return this.liveCount + 1;
  }

  /** Number of members (this node excluded) in each state. */
  counts(): Readonly<Record<MemberState, number>> {
    return { ...this.#counts };
  }

  /** The current minimum suspicion timeout for this view size (the maximum is that × maxMult). */
  suspicionTimeoutMs(): number {
    return suspicionTimeout(this.#suspicionMult, this.viewSize, this.#probeIntervalMs);
  }

  get(id: string): MemberInfo | undefined {
    if (id === this.selfId) return this.#selfInfo();
    const e = this.#members.get(id);
    return e === undefined ? undefined : info(e);
  }

  stateOf(id: string): MemberState | undefined {
    if (id === this.selfId) return this.#left ? 'left' : 'alive';
    return this.#members.get(id)?.state;
  }

  /**
   * The claim this node passes on while it holds `id` suspect: its first accuser's, so that a
   * receiver counts that accuser once, never this node as another (see Swim's open suspicions).
   */
  suspicionClaim(id: string): MemberUpdate | undefined {
    const e = this.#members.get(id);
    if (e === undefined || e.state !== 'suspect' || e.suspicion === undefined) return undefined;
    return { state: 'suspect', contact: e.contact, from: e.suspicion.accuser };
  }

  /**
   * This node's death (or leave) claim about a member that `update` still holds suspect or alive
   * at an incarnation this node already holds gone: the sender of such a stale claim missed the
   * death (gossip of it ran out before reaching it) and learns it from the answer.
   */
  goneClaimBeating(update: MemberUpdate): MemberUpdate | undefined {
    if (update.state !== 'suspect' && update.state !== 'alive') return undefined;
    const e = this.#members.get(update.contact.id);
    if (e === undefined || !isGone(e.state) || update.contact.incarnation > e.contact.incarnation) return undefined;
    return { state: e.state, contact: e.contact, from: this.selfId };
  }

  /** Every member this node knows, itself excluded. */
  members(): MemberInfo[] {
    return [...this.#members.values()].map(info);
  }

  /**
   * The contacts of the members held dead (not left), in the order they became known. Builds no
   * record per member: the join round asks every few seconds, and {@link members} allocated one for
   * each of the hundreds a node knows (a twentieth of the simulator's CPU at 2 000 nodes).
   */
  deadContacts(): PeerContact[] {
    const out: PeerContact[] = [];
    // Asked every join round: most of the time no one is dead, and the scan touched every member.
    if (this.#counts.dead === 0) return out;
    for (const e of this.#members.values()) if (e.state === 'dead') out.push(e.contact);
    return out;
  }

  /**
   * The freshest contact of a live (alive or suspect) member, `null` for a gone one, undefined for
   * an unknown one. Allocates nothing: the probe loop calls it for every contact every period.
   */
  liveContact(id: string): PeerContact | null | undefined {
    const e = this.#members.get(id);
    if (e === undefined) return undefined;
    return isGone(e.state) ? null : e.contact;
  }

  /**
   * Records a contact this node was told about by its own routing table (not by gossip), as alive,
   * if it is unknown. Nothing is gossiped and no event fires: it only gives the member a state to
   * suspect from. Returns what is now known.
   */
  learn(contact: PeerContact): MemberInfo | undefined {
    if (contact.id === this.selfId) return this.#selfInfo();
    let e = this.#members.get(contact.id);
    if (e === undefined) {
      e = { contact: copyContact(contact), state: 'alive', since: this.#clock.now(), suspicion: undefined };
      this.#members.set(contact.id, e);
      this.#counts.alive++;
    }
    return info(e);
  }

  /** Applies one membership claim under SWIM's incarnation rules. */
  apply(update: MemberUpdate): ApplyResult {
    if (update.contact.id === this.selfId) return this.#applyAboutSelf(update);
    switch (update.state) {
      case 'alive':
        return this.#applyAlive(update);
      case 'suspect':
        return this.#applySuspect(update);
      case 'dead':
      case 'left':
        return this.#applyGone(update, update.state);
      default:
        return 'ignored';
    }
  }

  /** This node's own probe of `id` failed: suspect it at the incarnation it is known by. */
  suspect(id: string): ApplyResult {
    const e = this.#members.get(id);
    if (e === undefined || isGone(e.state)) return 'ignored';
    return this.apply({ state: 'suspect', contact: e.contact, from: this.selfId });
  }

  /**
   * Graceful departure: raises the own incarnation (so the claim beats any alive at the old one),
   * stops refuting, and queues left(self). Returns the update, for sending directly as well.
   */
  leave(): MemberUpdate {
    if (!this.#left) {
      this.#left = true;
      this.#incarnation++;
    }
    const update: MemberUpdate = { state: 'left', contact: this.self, from: this.selfId };
    this.#queue.enqueue(update);
    return update;
  }

  /**
   * Forgets dead and left members older than the retention, and live members the routing layer
   * does not keep (see `retain`; a running suspicion is let finish); returns how many.
   */
  sweep(): number {
    const cutoff = this.#clock.now() - this.#deadRetentionMs;
    let forgotten = 0;
    for (const [id, e] of this.#members) {
      const expired = isGone(e.state) && e.since <= cutoff;
      const unwanted = e.state === 'alive' && this.#retain !== undefined && !this.#retain(id);
      if (expired || unwanted) {
        this.#members.delete(id);
        this.#counts[e.state]--;
        // No version bump: neither kind is a probe target (see version).
        forgotten++;
        if (unwanted) {
          this.#forgotten.delete(id);
          this.#forgotten.set(id, e.contact.incarnation);
          if (this.#forgotten.size > FORGOTTEN_MEMORY) this.#forgotten.delete(this.#forgotten.keys().next().value!);
        }
      }
    }
    return forgotten;
  }

  /** Stops every suspicion timer (on stop). */
  dispose(): void {
    for (const e of this.#members.values()) {
      e.suspicion?.cancel();
      e.suspicion = undefined;
    }
  }

  #applyAlive(update: MemberUpdate): ApplyResult {
    const c = update.contact;
    const e = this.#members.get(c.id);
    if (e !== undefined && c.incarnation <= e.contact.incarnation) return 'ignored';
    if (e === undefined) {
      const known = this.#forgotten.get(c.id);
      if (known !== undefined && c.incarnation <= known) return 'ignored';
    }
    const previous = e?.state;
    const moved = e !== undefined && (e.contact.address !== c.address || e.contact.role !== c.role);
    const entry: Entry = e ?? { contact: copyContact(c), state: 'alive', since: this.#clock.now(), suspicion: undefined };
    // A member new to this node changes nothing derived from the members it had.
    if (e !== undefined) this.#version++;
    if (e === undefined) {
      this.#members.set(c.id, entry);
      this.#counts.alive++;
    } else {
      this.#stopSuspicion(entry);
      entry.contact = copyContact(c);
      if (entry.state !== 'alive') this.#setState(entry, 'alive');
    }
    // A new member is offered to the listeners (the routing table) first: whether to spread it
    // depends on their answer. News of a member new to this node waits behind every change of a
    // known member's state (see BroadcastQueue).
    const news: MemberUpdate = { state: 'alive', contact: entry.contact, from: update.from };
    if (e !== undefined) this.#queue.enqueue(news);
    else if (this.#spread === undefined) this.#queue.enqueue(news, 'join');
    this.#changed(update, previous, entry);
    if (previous !== 'alive' || moved) this.#emit('onAlive', () => this.#events.onAlive?.(entry.contact));
    if (e === undefined && this.#spread !== undefined && this.#spread(c.id)) this.#queue.enqueue(news, 'join');
    return 'accepted';
  }

  #applySuspect(update: MemberUpdate): ApplyResult {
    const inc = update.contact.incarnation;
    const e = this.#members.get(update.contact.id);
    if (e === undefined || inc < e.contact.incarnation || isGone(e.state)) return 'ignored';

    if (e.state === 'suspect') {
      // Already suspected: a newer incarnation is news, another suspecter shortens the timer.
      const newer = inc > e.contact.incarnation;
      if (newer) {
        e.contact = { ...e.contact, incarnation: inc };
        this.#version++;
      }
      const confirmed = e.suspicion?.confirm(update.from) ?? false;
      if (!newer && !confirmed) return 'ignored';
      this.#queue.enqueue({ state: 'suspect', contact: e.contact, from: update.from });
      if (newer) this.#changed(update, 'suspect', e);
      return newer ? 'accepted' : 'confirmed';
    }

    e.contact = { ...e.contact, incarnation: inc };
    this.#setState(e, 'suspect');
    this.#startSuspicion(e, update.from);
    this.#queue.enqueue({ state: 'suspect', contact: e.contact, from: update.from });
    this.#changed(update, 'alive', e);
    this.#emit('onSuspect', () => this.#events.onSuspect?.(e.contact));
    return 'accepted';
  }

  #applyGone(update: MemberUpdate, state: GoneState): ApplyResult {
    const inc = update.contact.incarnation;
    const e = this.#members.get(update.contact.id);
    if (e === undefined) {
      // With partial views, only forwarding deaths of members we do not hold lets them reach every
      // node that does; once per (member, incarnation), so a rumour cannot circulate for ever.
      if (this.#retain !== undefined) this.#forwardRumour(update, inc);
      return 'ignored';
    }
    if (inc < e.contact.incarnation) return 'ignored';
    if (isGone(e.state)) {
      // Keep the highest incarnation seen, so stale alive claims stay rejected.
      if (inc > e.contact.incarnation) e.contact = { ...e.contact, incarnation: inc };
      return 'ignored';
    }
    const previous = e.state;
    this.#stopSuspicion(e);
    e.contact = { ...e.contact, incarnation: inc };
    this.#setState(e, state);
    this.#queue.enqueue({ state, contact: e.contact, from: update.from });
    this.#changed(update, previous, e);
    this.#emit('onDead', () => this.#events.onDead?.(e.contact, state));
    return 'accepted';
  }

  #forwardRumour(update: MemberUpdate, inc: number): void {
    const id = update.contact.id;
    const seen = this.#rumours.get(id);
    if (seen !== undefined && seen >= inc) return;
    this.#rumours.delete(id);
    this.#rumours.set(id, inc);
    if (this.#rumours.size > FORGOTTEN_MEMORY) this.#rumours.delete(this.#rumours.keys().next().value!);
    this.#queue.enqueue({ state: update.state, contact: copyContact(update.contact), from: update.from });
  }

  #applyAboutSelf(update: MemberUpdate): ApplyResult {
    const inc = update.contact.incarnation;
    if (update.state === 'alive') {
      // Our own alive coming back is old news; one above our incarnation is from an earlier life
      // of this node (a clock that went back): beat it so the others take our current contact.
      return inc > this.#incarnation && !this.#left ? this.#refute(update) : 'ignored';
    }
    if (this.#left || inc < this.#incarnation) return 'ignored';
    return this.#refute(update);
  }

  /** memberlist refute(): beat the accusation, tell everyone, and take it as a sign of ill health. */
  #refute(accusation: MemberUpdate): ApplyResult {
    this.#incarnation = Math.max(this.#incarnation + 1, accusation.contact.incarnation + 1);
    this.#awareness.applyDelta(1);
    this.#queue.enqueue({ state: 'alive', contact: this.self, from: this.selfId });
    this.#logger.debug(
      { incarnation: this.#incarnation, claim: accusation.state, from: accusation.from },
      'refuting a claim about this node',
    );
    this.#emit('onRefute', () => this.#events.onRefute?.(this.#incarnation, accusation));
    return 'refuted';
  }

  #startSuspicion(e: Entry, from: string): void {
    this.#stopSuspicion(e);
    // Expect suspicionConfirmations independent confirmations before the timer reaches its minimum
    // (memberlist derives it as SuspicionMult − 2, 2 at its defaults); none when too few members
    // could confirm (n − 2 excludes this node and the suspect).
    const n = this.viewSize;
    let k = this.#suspicionConfirmations;
    if (n - 2 < k) k = 0;
    const minMs = suspicionTimeout(this.#suspicionMult, n, this.#probeIntervalMs);
    const maxMs = this.#suspicionMaxTimeoutMult * minMs;
    const suspicion: Suspicion = new Suspicion({
      clock: this.#clock,
      from,
      k,
      minMs,
      maxMs,
      onTimeout: (confirmations) => {
        if (e.suspicion !== suspicion || e.state !== 'suspect') return;
        e.suspicion = undefined;
        this.#logger.info(
          { member: e.contact.id, confirmations, k },
          'suspicion timed out, declaring the member dead',
        );
        this.apply({ state: 'dead', contact: e.contact, from: this.selfId });
      },
    });
    e.suspicion = suspicion;
  }

  #stopSuspicion(e: Entry): void {
    e.suspicion?.cancel();
    e.suspicion = undefined;
  }

  #setState(e: Entry, state: MemberState): void {
    this.#counts[e.state]--;
    this.#counts[state]++;
    e.state = state;
    this.#version++;
    e.since = this.#clock.now();
  }

  #changed(update: MemberUpdate, previous: MemberState | undefined, e: Entry): void {
    const change: MemberChange = { update, previous, member: info(e) };
    this.#emit('onUpdate', () => this.#events.onUpdate?.(change));
  }

  /** A listener that throws must not corrupt the membership state machine. */
  #emit(event: keyof MembershipEvents, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#logger.warn({ err, event }, 'membership listener failed');
    }
  }

  #selfInfo(): MemberInfo {
    return {
      contact: this.self,
      state: this.#left ? 'left' : 'alive',
      incarnation: this.#incarnation,
      since: 0,
    };
  }
}

function info(e: Entry): MemberInfo {
  return { contact: e.contact, state: e.state, incarnation: e.contact.incarnation, since: e.since };
}

/** Keeps only the contact fields, so a received message object is never retained or mutated. */
function copyContact(c: PeerContact): PeerContact {
  return { id: c.id, address: c.address, role: c.role, incarnation: c.incarnation };
}
