import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerweaveError, SeededRandom } from '@peerweave/core';
import {
  blockPutOfFrame,
  checkBlockAnswer,
  checkBlockPut,
  decodeBlockFrame,
  encodeBlockFrame,
  errorForBlockCode,
  type BlockFrame,
  type BlockFrameFields,
} from './block-frame.ts';
import { MAX_BLOCK_ERROR_CODE_LENGTH, MAX_BLOCK_ERROR_MESSAGE_BYTES } from './block-stream-limits.ts';
import { blockStreamDefinitions, decodeAck, encodeAck } from './block-stream-methods.ts';
import { MAX_BLOCK_BYTES, MAX_CID_LENGTH, MAX_ROOTS_PER_BLOCK } from '../content/content-codec.ts';
import { CONTENT_SERVICE, contentServiceDefinition } from '../content/content-service.ts';
import { bytes, cid, NODE_B } from '../content/content-test-messages.ts';
import type { ContentServiceDefinition } from '../generated/peerweave/content/v1/ContentService.ts';
import { loadProtocolPackage } from '../proto-packages.ts';

const KIB = 1024;

/** The frame as a full BlockFrame, as decodeBlockFrame returns it. */
function full(fields: BlockFrameFields): BlockFrame {
  return { found: false, roots: [], hintFor: '', error: '', message: '', data: Buffer.alloc(0), ...fields };
}

function roundTrip(fields: BlockFrameFields): BlockFrame {
  return decodeBlockFrame(encodeBlockFrame(fields));
}

function refused(fn: () => unknown, field: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PeerweaveError, `expected a PeerweaveError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, field);
    return true;
  });
}

/** protobufjs's own codec of BlockFrame (the loader's definition, before ours replaced it). */
function protobufjs() {
  const loaded = loadProtocolPackage(CONTENT_SERVICE.protoFile)[CONTENT_SERVICE.serviceName] as unknown as ContentServiceDefinition;
  return {
    encode: (m: Record<string, unknown>): Buffer => loaded.GetBlocks.responseSerialize(m),
    decode: (b: Buffer) => loaded.GetBlocks.responseDeserialize(b),
  };
}

/** Raw protobuf pieces, for frames our encoder would never write. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
function tag(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}
function lengthDelimited(field: number, content: Uint8Array | string): number[] {
  const b = typeof content === 'string' ? Buffer.from(content, 'latin1') : content;
  return [...tag(field, 2), ...varint(b.length), ...b];
}

describe('BlockFrame encoding', () => {
  it('round-trips every kind of frame', () => {
    const frames: BlockFrameFields[] = [
      { cid: cid(1), found: true, data: bytes(256 * KIB, 9) },
      { cid: cid(2) },
      { cid: cid(3), error: 'RESOURCE_EXHAUSTED', message: 'too many wants: ünïcödé ✓' },
      { cid: cid(4), data: bytes(1000, 4), roots: [cid(5), cid(6)], hintFor: NODE_B },
      { cid: cid(7), found: true, data: bytes(0) },
      { cid: 'b'.repeat(MAX_CID_LENGTH), found: true, data: bytes(MAX_BLOCK_BYTES, 1) },
      { cid: cid(8), roots: Array.from({ length: MAX_ROOTS_PER_BLOCK }, (_, i) => cid(100 + i)), data: bytes(3) },
    ];
    for (const frame of frames) assert.deepEqual(roundTrip(frame), full(frame), frame.cid);
  });

  it('is one buffer of exactly the frame, the block bytes last, copied once', () => {
    const data = bytes(256 * KIB, 5);
    const encoded = encodeBlockFrame({ cid: cid(1), found: true, data });
    const header = 1 + 1 + cid(1).length + 2 + 1 + 3; // cid, found, data tag + 3-byte length
    assert.equal(encoded.length, header + data.length);
    assert.deepEqual(encoded.subarray(header), data);
    assert.notEqual(encoded.buffer, data.buffer, 'a copy: the caller may reuse its buffer');
  });

  it('decodes data as a view of the received bytes, not a copy', () => {
    const encoded = encodeBlockFrame({ cid: cid(1), found: true, data: bytes(4096, 3) });
    const decoded = decodeBlockFrame(encoded);
    assert.equal(decoded.data.buffer, encoded.buffer);
    assert.equal(decoded.data.byteOffset, encoded.byteOffset + encoded.length - 4096);
    // A plain Uint8Array (not a Buffer) decodes too.
    const plain = new Uint8Array(encoded);
    assert.deepEqual(decodeBlockFrame(plain).data, Buffer.from(bytes(4096, 3)));
  });

  it('writes what protobufjs reads, and reads what protobufjs writes', () => {
    const pb = protobufjs();
    const data = bytes(300 * KIB, 6);
    const ours = encodeBlockFrame({ cid: cid(4), found: true, data, roots: [cid(5)], hintFor: NODE_B, error: '', message: '' });
    const seen = pb.decode(ours);
    assert.equal(seen.cid, cid(4));
    assert.equal(seen.found, true);
    assert.deepEqual(seen.roots, [cid(5)]);
    assert.equal(seen.hintFor.toString('hex'), NODE_B);
    assert.deepEqual(seen.data, data);

    const theirs = pb.encode({
      cid: cid(9),
      found: false,
      roots: [cid(10), cid(11)],
      hintFor: Buffer.from(NODE_B, 'hex'),
      error: 'CORRUPT_BLOCK',
      message: 'bytes do not match',
      data: Buffer.alloc(0),
    });
    assert.deepEqual(decodeBlockFrame(theirs), full({ cid: cid(9), roots: [cid(10), cid(11)], hintFor: NODE_B, error: 'CORRUPT_BLOCK', message: 'bytes do not match' }));
    const block = pb.encode({ cid: cid(12), found: true, data });
    assert.deepEqual(decodeBlockFrame(block), full({ cid: cid(12), found: true, data }));
  });

  it('reads fields in any order, the last of a repeated scalar, and skips unknown fields of every wire type', () => {
    const frame = Buffer.from([
      ...lengthDelimited(15, bytes(10, 1)),
      ...tag(7, 0), ...varint(2 ** 40), // unknown varint
      ...tag(8, 1), 1, 2, 3, 4, 5, 6, 7, 8, // unknown fixed64
      ...lengthDelimited(9, 'an unknown string'),
      ...tag(10, 5), 1, 2, 3, 4, // unknown fixed32
      ...tag(11, 3), ...tag(1, 0), 5, ...tag(12, 3), ...tag(12, 4), ...tag(11, 4), // a group with a nested group
      ...lengthDelimited(1, cid(1)),
      ...tag(2, 0), 0,
      ...lengthDelimited(1, cid(2)), // a repeated cid: the last wins
      ...tag(2, 0), 1,
      ...lengthDelimited(536_870_911, 'the largest field number'),
    ]);
    assert.deepEqual(decodeBlockFrame(frame), full({ cid: cid(2), found: true, data: bytes(10, 1) }));
  });

  it('refuses a truncated frame: inside a varint, a length or the block bytes', () => {
    const encoded = encodeBlockFrame({ cid: cid(1), found: true, data: bytes(1000, 2), roots: [cid(2)] });
    const dataStart = encoded.length - 1000;
    refused(() => decodeBlockFrame(encoded.subarray(0, 1)), /cid: truncated varint/);
    refused(() => decodeBlockFrame(encoded.subarray(0, 10)), /cid: length 59 runs past the end/);
    refused(() => decodeBlockFrame(encoded.subarray(0, dataStart - 1)), /data: truncated varint/);
    refused(() => decodeBlockFrame(encoded.subarray(0, dataStart + 999)), /data: length 1000 runs past the end/);
    refused(() => decodeBlockFrame(Buffer.from([...lengthDelimited(1, cid(1)), 0x80])), /tag: truncated varint/);
    refused(() => decodeBlockFrame(Buffer.from([...lengthDelimited(1, cid(1)), ...tag(8, 1), 1, 2])), /field 8: truncated/);
    refused(() => decodeBlockFrame(Buffer.from([...lengthDelimited(1, cid(1)), ...tag(11, 3), ...tag(1, 0), 1])), /field 11: truncated group/);
  });

  it('refuses lengths and counts over their limits before reading them', () => {
    const head = lengthDelimited(1, cid(1));
    // A length far beyond the buffer: refused without allocating anything.
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(15, 2), ...varint(2 ** 32)])), /data: length 4294967296 runs past the end/);
    const over = Buffer.concat([Buffer.from([...head, ...tag(15, 2), ...varint(MAX_BLOCK_BYTES + 1)]), Buffer.alloc(MAX_BLOCK_BYTES + 1)]);
    refused(() => decodeBlockFrame(over), new RegExp(`data: at most ${MAX_BLOCK_BYTES} bytes, got ${MAX_BLOCK_BYTES + 1}`));
    refused(() => decodeBlockFrame(Buffer.from(lengthDelimited(1, 'b'.repeat(MAX_CID_LENGTH + 1)))), /cid: at most 128 characters/);
    const roots = Array.from({ length: MAX_ROOTS_PER_BLOCK + 1 }, (_, i) => lengthDelimited(3, cid(i))).flat();
    refused(() => decodeBlockFrame(Buffer.from([...head, ...roots])), /roots: at most 64/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(4, bytes(31))])), /hintFor: an id has 32 bytes, got 31/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(4, bytes(33))])), /hintFor: at most 32 bytes/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(5, 'E'.repeat(MAX_BLOCK_ERROR_CODE_LENGTH + 1))])), /error: at most 64/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(6, 'm'.repeat(MAX_BLOCK_ERROR_MESSAGE_BYTES + 1))])), /message: at most 1024 bytes/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(2, 0), ...Array<number>(10).fill(0xff), 1])), /found: varint longer than 10 bytes/);
  });

  it('refuses what protobuf would not accept or we cannot use', () => {
    const head = lengthDelimited(1, cid(1));
    refused(() => decodeBlockFrame(Buffer.alloc(0)), /cid: not a CID/);
    refused(() => decodeBlockFrame(Buffer.from(lengthDelimited(1, 'not-a-cid!'))), /cid: not a CID/);
    refused(() => decodeBlockFrame(Buffer.from(lengthDelimited(1, 'bafk\u00e9'))), /cid: not a CID/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(3, 'x y')])), /roots\[0\]: not a CID/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...lengthDelimited(5, 'lower_case')])), /error: not an error code/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(1, 0), 1])), /cid: wire type 0, expected 2/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(15, 0), 1])), /data: wire type 0, expected 2/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(0, 0), 1])), /tag: field number 0/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(9, 6)])), /field 9: wire type 6/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(9, 4)])), /field 9: wire type 4/);
    refused(() => decodeBlockFrame(Buffer.from([...head, ...tag(11, 3), ...tag(12, 4)])), /field 11: group ended by field 12/);
    const deep = [...Array.from({ length: 9 }, () => tag(11, 3)).flat(), ...Array.from({ length: 9 }, () => tag(11, 4)).flat()];
    refused(() => decodeBlockFrame(Buffer.from([...head, ...deep])), /nested deeper/);
  });

  it('a message of invalid UTF-8 at the byte limit decodes to what it encodes back to (U+FFFD is 3 bytes)', () => {
    // A peer's message of MAX bytes, each an invalid UTF-8 byte: decoded, each becomes U+FFFD,
    // three times the bytes; the decoded frame is cut as the encoder cuts, so it round-trips.
    const header = Buffer.from(encodeBlockFrame({ cid: cid(1) }));
    const len = MAX_BLOCK_ERROR_MESSAGE_BYTES;
    const varint: number[] = [];
    for (let v = len; ; v >>>= 7) {
      if (v < 0x80) {
        varint.push(v);
        break;
      }
      varint.push((v & 0x7f) | 0x80);
    }
    const wire = Buffer.concat([header, Buffer.from([(6 << 3) | 2, ...varint]), Buffer.alloc(len, 0xff)]);
    const decoded = decodeBlockFrame(wire);
    assert.ok(Buffer.byteLength(decoded.message, 'utf8') <= MAX_BLOCK_ERROR_MESSAGE_BYTES);
    assert.equal(decodeBlockFrame(encodeBlockFrame(decoded)).message, decoded.message);
  });

  it('refuses to encode an invalid frame, and cuts a long message at a character boundary', () => {
    refused(() => encodeBlockFrame({ cid: 'not a cid' }), /cid: not a CID/);
    refused(() => encodeBlockFrame({ cid: cid(1), data: bytes(MAX_BLOCK_BYTES + 1) }), /data: a block has at most/);
    refused(() => encodeBlockFrame({ cid: cid(1), roots: Array.from({ length: 65 }, (_, i) => cid(i)) }), /roots: at most 64/);
    refused(() => encodeBlockFrame({ cid: cid(1), hintFor: 'ab' }), /hintFor: not a 64-digit/);
    refused(() => encodeBlockFrame({ cid: cid(1), error: 'oops' }), /error: not an error code/);
    refused(() => encodeBlockFrame({ cid: cid(1), data: 'text' as unknown as Uint8Array }), /data: must be bytes/);
    const long = '✓'.repeat(1000); // 3 bytes each
    const decoded = roundTrip({ cid: cid(1), error: 'INTERNAL', message: long });
    assert.ok(Buffer.byteLength(decoded.message) <= MAX_BLOCK_ERROR_MESSAGE_BYTES);
    assert.equal(decoded.message, '✓'.repeat(Math.floor(MAX_BLOCK_ERROR_MESSAGE_BYTES / 3)));
  });

  it('random frames round-trip (a seeded property check)', () => {
    const random = new SeededRandom(11);
    const pb = protobufjs();
    for (let i = 0; i < 300; i++) {
      const found = random.next() < 0.5;
      const fields: BlockFrameFields = {
        cid: cid(random.int(100_000)),
        found,
        data: Buffer.from(random.bytes(random.int(4) === 0 ? random.int(300_000) : random.int(200))),
        roots: Array.from({ length: random.int(5) }, () => cid(random.int(1000))),
        hintFor: random.next() < 0.3 ? Buffer.from(random.bytes(32)).toString('hex') : '',
        error: random.next() < 0.2 ? 'NOT_FOUND' : '',
        message: random.next() < 0.2 ? `message ${random.int(1e6)}` : '',
      };
      const encoded = encodeBlockFrame(fields);
      assert.deepEqual(decodeBlockFrame(encoded), full(fields));
      // Byte-for-byte what protobufjs writes for the same message without its default values
      // (which protobufjs writes when they are set, and proto3 encoders leave out).
      const set = Object.entries({ ...fields, hintFor: Buffer.from(fields.hintFor!, 'hex') }).filter(
        ([, v]) => v !== false && v !== '' && !((Array.isArray(v) || v instanceof Uint8Array) && v.length === 0),
      );
      const theirs = pb.encode(Object.fromEntries(set));
      assert.deepEqual(encoded, theirs, `frame ${i}`);
    }
  });
});

describe('block stream messages', () => {
  it('a GetBlocks answer is found, not found, or an error for that block', () => {
    checkBlockAnswer({ cid: cid(1), found: true, data: bytes(10) });
    checkBlockAnswer({ cid: cid(1) });
    checkBlockAnswer({ cid: cid(1), error: 'RESOURCE_EXHAUSTED', message: 'busy' });
    refused(() => checkBlockAnswer({ cid: cid(1), found: false, data: bytes(10) }), /data: must be empty when the block was not found/);
    refused(() => checkBlockAnswer({ cid: cid(1), found: true, error: 'INTERNAL' }), /error: an error answer has neither/);
  });

  it('a PutBlocks frame is a block, never an error', () => {
    const frame = roundTrip({ cid: cid(1), data: bytes(5), roots: [cid(2)], hintFor: NODE_B });
    assert.deepEqual(blockPutOfFrame(frame), { cid: cid(1), data: bytes(5), roots: [cid(2)], hintFor: NODE_B });
    refused(() => blockPutOfFrame(roundTrip({ cid: cid(1), error: 'INTERNAL' })), /carries no error/);
    refused(() => checkBlockPut({ cid: cid(1), data: bytes(5), roots: ['?'], hintFor: '' }), /roots\[0\]/);
  });

  it('acks are checked both ways', () => {
    const ack = { cid: cid(1), stored: true, error: '', message: '' };
    assert.deepEqual(decodeAck(encodeAck(ack) as never), ack);
    refused(() => encodeAck({ ...ack, error: 'CORRUPT_BLOCK' }), /stored: a block acknowledged with an error/);
    refused(() => encodeAck({ ...ack, cid: '' }), /cid: not a CID/);
    refused(() => decodeAck({ cid: cid(1), stored: false, error: 'x', message: '' }), /error: not an error code/);
    refused(() => decodeAck({ cid: cid(1), stored: false, error: '', message: 'm'.repeat(1025) }), /message: at most 1024/);
  });

  it("a peer's error code becomes our error; an unknown one becomes INTERNAL", () => {
    const known = errorForBlockCode('CORRUPT_BLOCK', 'mismatch', 'peer:1');
    assert.equal(known.code, 'CORRUPT_BLOCK');
    assert.equal(known.message, 'mismatch');
    const unknown = errorForBlockCode('SOMETHING_NEW', '', 'peer:1');
    assert.equal(unknown.code, 'INTERNAL');
    assert.deepEqual(unknown.details, { peer: 'peer:1', code: 'SOMETHING_NEW' });
  });

  it("the streams' deserializers refuse without throwing (grpc-js would answer INTERNAL)", () => {
    const { GetBlocks, PutBlocks } = blockStreamDefinitions(contentServiceDefinition());
    const garbage = Buffer.from([0x0a, 0xff]);
    for (const result of [
      GetBlocks.requestDeserialize(garbage),
      GetBlocks.requestDeserialize(GetBlocks.requestSerialize({ cid: 'no good' })),
      GetBlocks.responseDeserialize(garbage),
      GetBlocks.responseDeserialize(encodeBlockFrame({ cid: cid(1), data: bytes(3) })), // data without found
      PutBlocks.requestDeserialize(garbage),
      PutBlocks.responseDeserialize(garbage),
    ]) {
      assert.ok(result instanceof PeerweaveError, String(result));
      assert.equal(result.code, 'INVALID_ARGUMENT');
    }
    assert.equal(GetBlocks.requestDeserialize(GetBlocks.requestSerialize({ cid: cid(1) })), cid(1));
    const frame = encodeBlockFrame({ cid: cid(1), found: true, data: bytes(3) });
    assert.equal(GetBlocks.responseSerialize(frame), frame, 'frames go out as encoded');
    assert.deepEqual(GetBlocks.responseDeserialize(frame), full({ cid: cid(1), found: true, data: bytes(3) }));
  });
});
