import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError, type PeerweaveError } from '@peerweave/core';
import { assertValidPeerRequest } from '../peer-codec.ts';
import { MAX_ADDRESS_LENGTH, MAX_CONTACTS_PER_MESSAGE, MAX_FIND_NODE_COUNT, MAX_UPDATES_PER_MESSAGE, ROUTING_CODECS, ROUTING_METHODS, ROUTING_RPC_NAMES } from './routing-codec.ts';
import type { PeerRequest, PeerResponse } from '../peer-messages.ts';
import type { RoutingMethod } from './routing-messages.ts';
import { routingServiceDefinition } from './routing-service.ts';
import { ALICE, BOB, contact, FIND_NODE, FIND_NODE_RESPONSE, PING, PING_REQ, PING_SEED, SAMPLES, UPDATES } from './routing-test-messages.ts';

// Every case goes through real protobuf bytes, as the loaded service definition (de)serializes.
function wireRequest<M extends RoutingMethod>(method: M, request: PeerRequest<M>): PeerRequest<M> {
  const def = routingServiceDefinition()[ROUTING_RPC_NAMES[method]];
  const codec = ROUTING_CODECS[method];
  const bytes = def.requestSerialize(codec.encodeRequest(request) as never);
  return codec.decodeRequest(def.requestDeserialize(bytes) as never);
}

function wireResponse<M extends RoutingMethod>(method: M, response: PeerResponse<M>): PeerResponse<M> {
  const def = routingServiceDefinition()[ROUTING_RPC_NAMES[method]];
  const codec = ROUTING_CODECS[method];
  const bytes = def.responseSerialize(codec.encodeResponse(response) as never);
  return codec.decodeResponse(def.responseDeserialize(bytes) as never);
}

/** Decodes raw wire objects (as a peer might send them) for `method`'s request. */
function decodeRawRequest(method: RoutingMethod, message: unknown): unknown {
  const def = routingServiceDefinition()[ROUTING_RPC_NAMES[method]];
  return ROUTING_CODECS[method].decodeRequest(def.requestDeserialize(def.requestSerialize(message as never)) as never);
}

function isInvalidArgument(field: string | RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.equal((err as PeerweaveError).code, 'INVALID_ARGUMENT');
    if (typeof field === 'string') assert.equal((err as PeerweaveError).details?.['field'], field, err.message);
    else assert.match(err.message, field);
    return true;
  };
}

const wireContact = (n: number) => ({ id: Buffer.from(contact(n).id, 'hex'), address: contact(n).address, role: 'peer', incarnation: 1 });

describe('peer codec: round trips through protobuf', () => {
  for (const method of ROUTING_METHODS) {
    it(`${method}: request and response come back equal`, () => {
      const { request, response } = SAMPLES[method];
      assert.deepEqual(wireRequest(method, request), request);
      assert.deepEqual(wireResponse(method, response), response);
    });
  }

  it('a ping to an unknown target (a seed) keeps the empty target', () => {
    assert.deepEqual(wireRequest('ping', PING_SEED), PING_SEED);
  });

  it('sends only protocol fields, whatever else the objects carry', () => {
    const routingContact = { ...ALICE, idBytes: new Uint8Array(32), lastSeen: 42 };
    const decoded = wireRequest('ping', { ...PING, sender: routingContact, secret: 'x' } as never);
    assert.deepEqual(decoded, PING);
  });

  it('rounds a fractional PingReq timeout up to whole milliseconds', () => {
    assert.equal(wireRequest('pingReq', { ...PING_REQ, timeoutMs: 499.2 }).timeoutMs, 500);
  });

  it('accepts the largest lists and counts', () => {
    const updates = Array.from({ length: MAX_UPDATES_PER_MESSAGE }, (_, i) => ({ state: 'alive' as const, contact: contact(i), from: ALICE.id }));
    const closest = Array.from({ length: MAX_CONTACTS_PER_MESSAGE }, (_, i) => contact(i, 'x'.repeat(MAX_ADDRESS_LENGTH)));
    assert.equal(wireRequest('findNode', { ...FIND_NODE, updates, count: MAX_FIND_NODE_COUNT }).updates.length, MAX_UPDATES_PER_MESSAGE);
    assert.equal(wireResponse('findNode', { ...FIND_NODE_RESPONSE, closest }).closest.length, MAX_CONTACTS_PER_MESSAGE);
  });
});

describe('peer codec: what arrives is validated', () => {
  const sender = wireContact(1);

  it('an id of 31 or 33 bytes', () => {
    assert.throws(() => decodeRawRequest('ping', { sender: { ...sender, id: Buffer.alloc(31) } }), isInvalidArgument('sender.id'));
    assert.throws(() => decodeRawRequest('ping', { sender, target: Buffer.alloc(33) }), isInvalidArgument('target'));
    assert.throws(() => decodeRawRequest('findNode', { sender, key: Buffer.alloc(31), count: 1 }), isInvalidArgument('key'));
    assert.throws(
      () => decodeRawRequest('ping', { sender, updates: [{ state: 'MEMBER_STATE_ALIVE', contact: sender, from: Buffer.alloc(31) }] }),
      isInvalidArgument('updates[0].from'),
    );
    assert.throws(
      () => decodeRawRequest('ping', { sender, updates: [{ state: 1, contact: { ...sender, id: Buffer.alloc(0) }, from: sender.id }] }),
      isInvalidArgument('updates[0].contact.id'),
    );
  });

  it('a missing sender or contact', () => {
    assert.throws(() => decodeRawRequest('leave', {}), isInvalidArgument('sender'));
    assert.throws(() => decodeRawRequest('pingReq', { sender, timeoutMs: 100 }), isInvalidArgument('target'));
    assert.throws(
      () => decodeRawRequest('leave', { sender, updates: [{ state: 1, from: sender.id }] }),
      isInvalidArgument('updates[0].contact'),
    );
  });

  it('an empty or too long address, an empty role', () => {
    assert.throws(() => decodeRawRequest('ping', { sender: { ...sender, address: '' } }), isInvalidArgument('sender.address'));
    assert.throws(
      () => decodeRawRequest('ping', { sender: { ...sender, address: 'a'.repeat(MAX_ADDRESS_LENGTH + 1) } }),
      isInvalidArgument('sender.address'),
    );
    assert.throws(() => decodeRawRequest('ping', { sender: { ...sender, role: '' } }), isInvalidArgument('sender.role'));
  });

  it('too many updates or contacts', () => {
    const update = { state: 'MEMBER_STATE_ALIVE', contact: sender, from: sender.id };
    const updates = Array.from({ length: MAX_UPDATES_PER_MESSAGE + 1 }, () => update);
    assert.throws(() => decodeRawRequest('ping', { sender, updates }), isInvalidArgument('updates'));
    const closest = Array.from({ length: MAX_CONTACTS_PER_MESSAGE + 1 }, () => sender);
    const def = routingServiceDefinition().FindNode;
    const bytes = def.responseSerialize({ sender, closest });
    assert.throws(() => ROUTING_CODECS.findNode.decodeResponse(def.responseDeserialize(bytes)), isInvalidArgument('closest'));
  });

  it('an unknown or unspecified member state', () => {
    for (const state of [9, 'MEMBER_STATE_UNSPECIFIED', 0]) {
      assert.throws(
        () => decodeRawRequest('ping', { sender, updates: [{ state, contact: sender, from: sender.id }] }),
        isInvalidArgument('updates[0].state'),
        `state ${state}`,
      );
    }
  });

  it('counts and timeouts out of range', () => {
    const key = Buffer.alloc(32);
    assert.throws(() => decodeRawRequest('findNode', { sender, key, count: 0 }), isInvalidArgument('count'));
    assert.throws(() => decodeRawRequest('findNode', { sender, key, count: MAX_FIND_NODE_COUNT + 1 }), isInvalidArgument('count'));
    assert.throws(() => decodeRawRequest('pingReq', { sender, target: sender, timeoutMs: 0 }), isInvalidArgument('timeoutMs'));
    assert.throws(() => decodeRawRequest('pingReq', { sender, target: sender, timeoutMs: 3_600_000 }), isInvalidArgument('timeoutMs'));
  });

  it('an incarnation beyond 2^53', () => {
    assert.throws(
      () => decodeRawRequest('ping', { sender: { ...sender, incarnation: '18446744073709551615' } }),
      isInvalidArgument('sender.incarnation'),
    );
  });
});

describe('peer codec: what we send is validated too', () => {
  it('refuses our own malformed messages before they leave', () => {
    assert.throws(() => assertValidPeerRequest('ping', { ...PING, target: 'AB'.repeat(32) }), isInvalidArgument('target'));
    assert.throws(() => assertValidPeerRequest('ping', { ...PING, sender: { ...BOB, id: 'ab' } }), isInvalidArgument('sender.id'));
    assert.throws(
      () => assertValidPeerRequest('ping', { ...PING, updates: [{ ...UPDATES[0]!, state: 'zombie' as never }] }),
      isInvalidArgument('updates[0].state'),
    );
    assert.throws(() => assertValidPeerRequest('pingReq', { ...PING_REQ, timeoutMs: Number.NaN }), isInvalidArgument('timeoutMs'));
    assert.throws(() => assertValidPeerRequest('findNode', { ...FIND_NODE, count: 2.5 }), isInvalidArgument('count'));
    assert.throws(() => assertValidPeerRequest('ping', { ...PING, sender: { ...ALICE, incarnation: -1 } }), isInvalidArgument('sender.incarnation'));
  });
});
