import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@peerweave/core';
import { ManualClock } from '@peerweave/core/testing';
import { MemoryNetwork } from './memory/memory-network.ts';
import type { PeerMethod, PeerRequest } from './peer-messages.ts';
import { PEER_METHODS } from './peer-codec.ts';
import { assertSpeaksFor, checkSpeaker, SPEAKER_OF } from './speaker-rules.ts';
import { BOB, sampleHandler, SAMPLES } from './routing/routing-test-messages.ts';
import { CONTENT_SAMPLES, sampleContentHandler } from './content/content-test-messages.ts';
import { SEARCH_SAMPLES, sampleSearchHandler } from './search/search-test-messages.ts';
import { rejectsWithCode } from './test-support.ts';

const SAMPLE_REQUESTS = { ...SAMPLES, ...CONTENT_SAMPLES, ...SEARCH_SAMPLES } as unknown as Record<PeerMethod, { request: unknown }>;
const STRANGER = 'ee'.repeat(32);

describe('speaker rules: a node speaks only for itself', () => {
  it('names exactly the methods whose request claims its sender (the issue: SWIM self-claims, leave, provider announcements, anti-entropy, search attach/publish)', () => {
    assert.deepEqual(Object.keys(SPEAKER_OF).sort(), ['addProvider', 'attach', 'findNode', 'leave', 'ping', 'pingReq', 'publish', 'query', 'searchLoad', 'syncDigest', 'syncKeys']);
  });

  for (const method of Object.keys(SPEAKER_OF) as PeerMethod[]) {
    it(`${method}: refused PERMISSION_DENIED from a caller whose verified id is not the claimed one, served from the claimant`, async () => {
      const request = SAMPLE_REQUESTS[method].request as PeerRequest<typeof method>;
      const claimed = (SPEAKER_OF[method] as (r: unknown) => string)(request);
      const network = new MemoryNetwork({ clock: new ManualClock(0), random: new SeededRandom(1), validateMessages: true });
      const handlers = { ...sampleHandler(), ...sampleContentHandler(), ...sampleSearchHandler() };
      network.listen('callee', handlers, { id: BOB.id });
      const liar = network.listen('liar', {}, { id: STRANGER }).transport;
      const honest = network.listen('honest', {}, { id: claimed }).transport;
      await rejectsWithCode(liar.request('callee', method, request), 'PERMISSION_DENIED', new RegExp(`^${method} claims to come from`));
      await honest.request('callee', method, request);
    });
  }

  it('every other method carries no claim: any caller is served', async () => {
    const others = PEER_METHODS.filter((m) => !(m in SPEAKER_OF));
    assert.deepEqual(others.sort(), ['getBlock', 'getProviders', 'getRecord', 'hasBlocks', 'hits', 'pinBlocks', 'putBlock', 'putRecord', 'putTombstone'].sort());
    for (const method of others) checkSpeaker(method, SAMPLE_REQUESTS[method].request, { callerId: STRANGER });
  });

  it('without a verified caller id (plaintext) nothing is checked; a malformed claim is refused, not crashed on', () => {
    checkSpeaker('ping', { sender: { id: STRANGER } }, {});
    assert.throws(() => checkSpeaker('ping', {}, { callerId: BOB.id }), { code: 'PERMISSION_DENIED' });
    assert.throws(() => assertSpeaksFor({ callerId: BOB.id }, STRANGER, 'a tombstone'), {
      code: 'PERMISSION_DENIED',
      message: 'a tombstone claims to come from eeeeeeeeeeee…, the connection is 020202020202…',
    });
    assertSpeaksFor({}, STRANGER, 'anything');
  });
});
