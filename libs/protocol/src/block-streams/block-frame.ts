/**
 * The wire form of `peerweave.content.v1.BlockFrame` (GetBlocks answers, PutBlocks blocks), written
 * and read by hand instead of through protobufjs so that a block's bytes are copied once on the way
 * out and not at all on the way in (docs/PERFORMANCE.md: protobufjs copies every `bytes` field).
 *
 * The output is ordinary protobuf, so any generated decoder reads it: the header fields (tags 1-6)
 * come first and `data` (tag 15) last, each present only when not its default, as proto3 writes
 * them. The reader accepts what any protobuf encoder may produce: fields in any order, a field
 * repeated (the last one wins), unknown fields skipped. `data` is decoded as a view of the
 * received buffer.
 *
 * Both directions validate, as content-codec.ts does: a CID of 1 to MAX_CID_LENGTH letters and
 * digits, at most MAX_ROOTS_PER_BLOCK roots, `hint_for` empty or 32 bytes, `data` at most
 * MAX_BLOCK_BYTES, a bounded error code and message; a truncated varint or a length that runs past
 * the end is refused. Everything is refused with InvalidArgumentError, naming the field.
 */
import { ERROR_CODES, ID_BYTES, InvalidArgumentError, NodeId, PeerweaveError, type ErrorCode } from '@peerweave/core';
import { MAX_BLOCK_ERROR_CODE_LENGTH, MAX_BLOCK_ERROR_MESSAGE_BYTES } from './block-stream-limits.ts';
import type { BlockPut } from './block-stream-messages.ts';
import { EMPTY_BYTES, invalid } from '../codec-support.ts';
import { checkCid, checkCids, MAX_BLOCK_BYTES, MAX_CID_LENGTH, MAX_ROOTS_PER_BLOCK } from '../content/content-codec.ts';

/** One frame of a block stream, with its fields as the domain uses them. */
export interface BlockFrame {
  /** Canonical CID string. */
  readonly cid: string;
  /** GetBlocks: the callee holds the block and `data` is its bytes. Not read in PutBlocks. */
  readonly found: boolean;
  /** PutBlocks: roots of the objects the block belongs to. */
  readonly roots: readonly string[];
  /** PutBlocks: the replica this hinted copy stands in for (64 hex digits), or ''. */
  readonly hintFor: string;
  /** GetBlocks: '' when answered, else the error code for this block. */
  readonly error: string;
  /** Detail of `error`. */
  readonly message: string;
  /** The block's bytes (a view of the received frame when decoded). */
  readonly data: Uint8Array;
}

/** What {@link encodeBlockFrame} takes: a frame, a BlockPut, or any subset of fields beside `cid`. */
export type BlockFrameFields = Pick<BlockFrame, 'cid'> & Partial<BlockFrame>;

// Tags: field number << 3 | wire type (0 varint, 2 length-delimited).
const CID_TAG = (1 << 3) | 2;
const FOUND_TAG = (2 << 3) | 0;
const ROOTS_TAG = (3 << 3) | 2;
const HINT_FOR_TAG = (4 << 3) | 2;
const ERROR_TAG = (5 << 3) | 2;
const MESSAGE_TAG = (6 << 3) | 2;
const DATA_TAG = (15 << 3) | 2;

/** Error codes as they travel: upper-case letters, digits and underscores (ERROR_CODES and later ones). */
const ERROR_CODE_CHARACTERS = /^[A-Z][A-Z0-9_]*$/;
/** Deepest nesting of unknown groups skipped (protobuf groups are long deprecated; none nest deeply). */
const MAX_GROUP_DEPTH = 8;

// ----- encoding --------------------------------------------------------------------------------------

/**
 * The frame as protobuf bytes: one allocation of exactly its size (from `allocate`, default
 * Buffer.allocUnsafe: a FramePool reuses memory), the header written field by field, then the
 * block's bytes copied once. Throws InvalidArgumentError for an invalid field; a message longer
 * than MAX_BLOCK_ERROR_MESSAGE_BYTES is cut (it is prose, not data).
 */
export function encodeBlockFrame(frame: BlockFrameFields, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  if (frame === null || typeof frame !== 'object') invalid('frame', -1, '', 'missing');
  const cid = checkCid(frame.cid, 'cid', -1);
  const found = frame.found ?? false;
  if (typeof found !== 'boolean') invalid('found', -1, '', `must be a boolean, got ${typeof found}`);
  const roots = checkCids(frame.roots ?? [], MAX_ROOTS_PER_BLOCK, 'roots');
  const hintFor = checkHintFor(frame.hintFor ?? '');
  const error = checkErrorCode(frame.error ?? '', 'error');
  const message = cutMessage(frame.message ?? '', 'message');
  const data = checkData(frame.data ?? EMPTY_BYTES);

  // CIDs, hex and error codes are ASCII (checked above): their length is their byte length.
  let size = 1 + varintSize(cid.length) + cid.length;
  if (found) size += 2;
  for (const root of roots) size += 1 + varintSize(root.length) + root.length;
  if (hintFor !== '') size += 2 + ID_BYTES;
  if (error !== '') size += 1 + varintSize(error.length) + error.length;
  const messageBytes = message === '' ? 0 : Buffer.byteLength(message, 'utf8');
  if (messageBytes > 0) size += 1 + varintSize(messageBytes) + messageBytes;
  if (data.length > 0) size += 1 + varintSize(data.length) + data.length;

  const out = allocate(size);
  if (out.length !== size) throw new Error(`BlockFrame encoder was given ${out.length} bytes for ${size}`);
  let pos = writeAscii(out, 0, CID_TAG, cid);
  if (found) {
    out[pos++] = FOUND_TAG;
    out[pos++] = 1;
  }
  for (const root of roots) pos = writeAscii(out, pos, ROOTS_TAG, root);
  if (hintFor !== '') {
    out[pos++] = HINT_FOR_TAG;
    out[pos++] = ID_BYTES;
    pos += out.write(hintFor, pos, 'hex');
  }
  if (error !== '') pos = writeAscii(out, pos, ERROR_TAG, error);
  if (messageBytes > 0) {
    out[pos++] = MESSAGE_TAG;
    pos = writeVarint(out, pos, messageBytes);
    pos += out.write(message, pos, 'utf8');
  }
  if (data.length > 0) {
    out[pos++] = DATA_TAG;
    pos = writeVarint(out, pos, data.length);
    out.set(data, pos);
    pos += data.length;
  }
  if (pos !== size) throw new Error(`BlockFrame encoder wrote ${pos} of ${size} bytes`);
  return out;
}

function writeAscii(out: Buffer, pos: number, tag: number, text: string): number {
  out[pos++] = tag;
  pos = writeVarint(out, pos, text.length);
  return pos + out.write(text, pos, 'latin1');
}

function writeVarint(out: Buffer, pos: number, value: number): number {
  while (value > 0x7f) {
    out[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[pos++] = value;
  return pos;
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

// ----- decoding --------------------------------------------------------------------------------------

/**
 * Reads a frame a peer sent. `data` is a view of `bytes` (no copy); keep `bytes` unmodified for as
 * long as the frame is used. Throws InvalidArgumentError for anything malformed or out of bounds.
 */
export function decodeBlockFrame(bytes: Uint8Array): BlockFrame {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = b.length;
  let pos = 0;
  let cid = '';
  let found = false;
  const roots: string[] = [];
  let hintFor = '';
  let error = '';
  let message = '';
  let data: Uint8Array = EMPTY_BYTES;

  const varint = (field: string): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) invalid(field, -1, '', 'truncated varint');
      const byte = b[pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    return invalid(field, -1, '', 'varint longer than 10 bytes');
  };
  /** A length prefix, checked against what is left and against `max`. */
  const length = (field: string, max: number, unit = 'bytes'): number => {
    const n = varint(field);
    if (n > end - pos) invalid(field, -1, '', `length ${n} runs past the end of the frame (${end - pos} bytes left)`);
    if (n > max) invalid(field, -1, '', `at most ${max} ${unit}, got ${n}`);
    return n;
  };
  const expectWire = (wire: number, expected: number, field: string): void => {
    if (wire !== expected) invalid(field, -1, '', `wire type ${wire}, expected ${expected}`);
  };
  const skip = (wire: number, fieldNumber: number, depth: number): void => {
    const field = `field ${fieldNumber}`;
    switch (wire) {
      case 0:
        varint(field);
        return;
      case 1:
      case 5: {
        const n = wire === 1 ? 8 : 4;
        if (n > end - pos) invalid(field, -1, '', `truncated: ${n} bytes expected, ${end - pos} left`);
        pos += n;
        return;
      }
      case 2: {
        const n = length(field, end);
        pos += n;
        return;
      }
      case 3:
        skipGroup(fieldNumber, depth);
        return;
      default:
        invalid(field, -1, '', `wire type ${wire} is not valid here`);
    }
  };
  /** The rest of a group (deprecated in proto3, still valid protobuf): fields up to its end tag. */
  const skipGroup = (fieldNumber: number, depth: number): void => {
    const field = `field ${fieldNumber}`;
    if (depth >= MAX_GROUP_DEPTH) invalid(field, -1, '', `groups nested deeper than ${MAX_GROUP_DEPTH}`);
    for (;;) {
      if (pos >= end) invalid(field, -1, '', 'truncated group');
      const tag = varint(field);
      const inner = Math.floor(tag / 8);
      if (tag % 8 === 4) {
        if (inner !== fieldNumber) invalid(field, -1, '', `group ended by field ${inner}`);
        return;
      }
      if (inner === 0) invalid(field, -1, '', 'field number 0');
      skip(tag % 8, inner, depth + 1);
    }
  };

  while (pos < end) {
    const tag = varint('tag');
    const fieldNumber = Math.floor(tag / 8);
    const wire = tag % 8;
    switch (fieldNumber) {
      case 1: {
        expectWire(wire, 2, 'cid');
        const n = length('cid', MAX_CID_LENGTH, 'characters');
        cid = b.toString('latin1', pos, (pos += n));
        break;
      }
      case 2:
        expectWire(wire, 0, 'found');
        found = varint('found') !== 0;
        break;
      case 3: {
        expectWire(wire, 2, 'roots');
        if (roots.length >= MAX_ROOTS_PER_BLOCK) invalid('roots', -1, '', `at most ${MAX_ROOTS_PER_BLOCK} per message, got more`);
        const n = length(`roots[${roots.length}]`, MAX_CID_LENGTH, 'characters');
        roots.push(b.toString('latin1', pos, (pos += n)));
        break;
      }
      case 4: {
        expectWire(wire, 2, 'hintFor');
        const n = length('hintFor', ID_BYTES);
        if (n !== 0 && n !== ID_BYTES) invalid('hintFor', -1, '', `an id has ${ID_BYTES} bytes, got ${n}`);
        hintFor = n === 0 ? '' : b.toString('hex', pos, (pos += n));
        break;
      }
      case 5: {
        expectWire(wire, 2, 'error');
        const n = length('error', MAX_BLOCK_ERROR_CODE_LENGTH, 'characters');
        error = b.toString('latin1', pos, (pos += n));
        break;
      }
      case 6: {
        expectWire(wire, 2, 'message');
        const n = length('message', MAX_BLOCK_ERROR_MESSAGE_BYTES);
        // Invalid UTF-8 decodes to U+FFFD, 3 bytes for each bad one: cut as the encoder would, so
        // that a decoded frame encodes to the same fields (the fuzz property found one that did not).
        message = cutMessage(b.toString('utf8', pos, (pos += n)), 'message');
        break;
      }
      case 15: {
        expectWire(wire, 2, 'data');
        const n = length('data', MAX_BLOCK_BYTES);
        data = b.subarray(pos, (pos += n));
        break;
      }
      case 0:
        invalid('tag', -1, '', 'field number 0');
        break;
      default:
        skip(wire, fieldNumber, 0);
    }
  }
  checkCid(cid, 'cid', -1);
  for (let i = 0; i < roots.length; i++) checkCid(roots[i]!, 'roots', i);
  checkErrorCode(error, 'error');
  return { cid, found, roots, hintFor, error, message, data };
}

// ----- the two uses of a frame ---------------------------------------------------------------------

/**
 * Checks that a frame is a well-formed GetBlocks answer: a block found (no error), not found
 * (no data), or an error for this block (neither found nor data). Returns it.
 */
export function checkBlockAnswer<F extends BlockFrameFields>(frame: F): F {
  const found = frame.found ?? false;
  const dataLength = frame.data?.length ?? 0;
  if ((frame.error ?? '') !== '') {
    if (found || dataLength > 0) invalid('error', -1, '', 'an error answer has neither found nor data');
  } else if (!found && dataLength > 0) {
    invalid('data', -1, '', `must be empty when the block was not found, got ${dataLength} bytes`);
  }
  return frame;
}

/** The block a PutBlocks frame carries; an error or message there is refused (a put has none). */
export function blockPutOfFrame(frame: BlockFrame): BlockPut {
  if (frame.error !== '' || frame.message !== '') invalid('error', -1, '', 'a PutBlocks frame carries no error');
  return { cid: frame.cid, data: frame.data, roots: frame.roots, hintFor: frame.hintFor };
}

// ----- shared checks ---------------------------------------------------------------------------------

/** '' or an error code: upper-case letters, digits and underscores, at most MAX_BLOCK_ERROR_CODE_LENGTH. */
export function checkErrorCode(code: string, field: string): string {
  if (typeof code !== 'string' || (code !== '' && (code.length > MAX_BLOCK_ERROR_CODE_LENGTH || !ERROR_CODE_CHARACTERS.test(code)))) {
    invalid(field, -1, '', `not an error code (upper-case, at most ${MAX_BLOCK_ERROR_CODE_LENGTH} characters): ${JSON.stringify(String(code).slice(0, 80))}`);
  }
  return code;
}

/** A message cut to MAX_BLOCK_ERROR_MESSAGE_BYTES of UTF-8, at a character boundary. */
export function cutMessage(message: string, field: string): string {
  if (typeof message !== 'string') invalid(field, -1, '', `must be a string, got ${typeof message}`);
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: most messages need no counting.
  if (message.length * 3 <= MAX_BLOCK_ERROR_MESSAGE_BYTES) return message;
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= MAX_BLOCK_ERROR_MESSAGE_BYTES) return message;
  let cut = MAX_BLOCK_ERROR_MESSAGE_BYTES;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--; // not inside a character
  return bytes.toString('utf8', 0, cut);
}

/**
 * Throws InvalidArgumentError unless `block` is a valid PutBlocks block: what encodeBlockFrame
 * checks, without encoding it (for the in-memory network, which passes blocks by reference).
 */
export function checkBlockPut(block: BlockPut): BlockPut {
  if (block === null || typeof block !== 'object') invalid('block', -1, '', 'missing');
  checkCid(block.cid, 'cid', -1);
  checkCids(block.roots, MAX_ROOTS_PER_BLOCK, 'roots');
  checkHintFor(block.hintFor);
  checkData(block.data);
  return block;
}

function checkHintFor(hintFor: string): string {
  if (hintFor !== '' && (typeof hintFor !== 'string' || !NodeId.isHex(hintFor))) {
    invalid('hintFor', -1, '', `not a 64-digit lower-case hex id: ${JSON.stringify(String(hintFor).slice(0, 80))}`);
  }
  return hintFor;
}

function checkData(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) invalid('data', -1, '', 'must be bytes');
  if (data.length > MAX_BLOCK_BYTES) invalid('data', -1, '', `a block has at most ${MAX_BLOCK_BYTES} bytes, got ${data.length}`);
  return data;
}

/** The error a refused frame is reported with, for callers that must not throw (deserializers). */
export function asInvalidArgument(err: unknown, what: string): PeerweaveError {
  if (err instanceof InvalidArgumentError) return new InvalidArgumentError(`invalid ${what}: ${err.message}`, { cause: err, details: err.details });
  return new InvalidArgumentError(`invalid ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

const KNOWN_CODES = new Set<string>(ERROR_CODES);

/**
 * The error a peer sent for one block (frame or ack), as a PeerweaveError with that code; a code
 * we do not know (a newer peer's) becomes INTERNAL, keeping the original in `details.code`.
 */
export function errorForBlockCode(code: string, message: string, address: string): PeerweaveError {
  const known = KNOWN_CODES.has(code);
  return new PeerweaveError(known ? (code as ErrorCode) : 'INTERNAL', message !== '' ? message : code, {
    details: known ? { peer: address } : { peer: address, code },
  });
}
