/**
 * fast-check arbitraries of peer-protocol wire bytes, shared by the property tests
 * (`*.property.spec.ts`) and the live fuzzer (scripts/fuzz.ts): raw bytes, protobuf-shaped
 * messages (random fields of every wire type, nested, with values the codecs accept often
 * enough to get past the first check: 32-byte ids, 64-digit hex ids, CIDs, addresses) and
 * mutations of valid messages (bytes flipped, cut, inserted, spliced).
 */
import fc from 'fast-check';

export { propertyParams } from '@peerweave/core/testing';

const CID_V1 = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
const CID_V0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';

/** Strings a codec may well accept (ids, CIDs, addresses, codes, roles) and some it must refuse. */
export const wireString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  fc.constantFrom(CID_V1, CID_V0, 'bafy', '', 'alive', 'suspect', 'dead', 'left', 'peer', 'supernode', 'NOT_FOUND', 'INVALID_ARGUMENT'),
  fc.tuple(fc.constantFrom('127.0.0.1', '10.0.0.1', 'peer-1', '[::1]', ''), fc.integer({ min: 0, max: 70_000 })).map(([h, p]) => `${h}:${p}`),
  fc.string({ minLength: 1000, maxLength: 1100 }),
);

/** `bytes` fields: ids (32), query ids (16), signatures (64), keys (32) and any other length. */
export const wireBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.constantFrom(16, 32, 64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.uint8Array({ minLength: 200, maxLength: 2000 }),
);

type Field =
  | { no: number; kind: 'varint'; value: bigint }
  | { no: number; kind: 'fixed32' | 'fixed64'; value: number }
  | { no: number; kind: 'bytes'; value: Uint8Array }
  | { no: number; kind: 'message'; value: Field[] };

const fieldNo = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.integer({ min: 13, max: 536_870_911 }) });
const varint = fc.oneof(
  fc.bigInt({ min: 0n, max: 300n }),
  fc.constantFrom(1_700_000_000_000n, 2n ** 31n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

const { message } = fc.letrec<{ message: Field[]; field: Field }>((tie) => ({
  field: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ no: fieldNo, kind: fc.constant('varint' as const), value: varint }),
    fc.record({ no: fieldNo, kind: fc.constantFrom('fixed32' as const, 'fixed64' as const), value: fc.double() }),
    fc.record({ no: fieldNo, kind: fc.constant('bytes' as const), value: fc.oneof(wireBytes, wireString.map((s) => new TextEncoder().encode(s))) }),
    fc.record({ no: fieldNo, kind: fc.constant('message' as const), value: tie('message') as fc.Arbitrary<Field[]> }),
  ) as fc.Arbitrary<Field>,
  message: fc.array(tie('field') as fc.Arbitrary<Field>, { maxLength: 8, depthIdentifier: 'pb' }),
}));

function pushVarint(out: number[], value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function writeFields(fields: Field[], out: number[]): void {
  for (const f of fields) {
    const wireType = f.kind === 'varint' ? 0 : f.kind === 'fixed64' ? 1 : f.kind === 'fixed32' ? 5 : 2;
    pushVarint(out, (BigInt(f.no) << 3n) | BigInt(wireType));
    if (f.kind === 'varint') pushVarint(out, f.value);
    else if (f.kind === 'fixed32' || f.kind === 'fixed64') {
      const b = Buffer.alloc(f.kind === 'fixed32' ? 4 : 8);
      if (f.kind === 'fixed32') b.writeFloatLE(Number.isFinite(f.value) ? Math.max(-3e38, Math.min(3e38, f.value)) : 0);
      else b.writeDoubleLE(f.value);
      out.push(...b);
    } else {
      const body: number[] = [];
      if (f.kind === 'bytes') body.push(...f.value);
      else writeFields(f.value as Field[], body);
      pushVarint(out, BigInt(body.length));
      for (const x of body) out.push(x);
    }
  }
}

/** Protobuf-shaped messages: well-formed wire format, random fields and values. */
export const protobufMessage: fc.Arbitrary<Uint8Array> = message.map((fields) => {
  const out: number[] = [];
  writeFields(fields, out);
  return Uint8Array.from(out);
});

/** One valid message, mutated: bytes flipped, the tail cut, bytes inserted, or two spliced. */
export function mutatedMessage(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (valid.length === 0) return protobufMessage;
  const base = fc.constantFrom(...valid);
  return fc.oneof(
    base,
    fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([b, flips]) => {
      const copy = Uint8Array.from(b);
      for (const [at, x] of flips) if (copy.length > 0) copy[at % copy.length] = x;
      return copy;
    }),
    fc.tuple(base, fc.nat()).map(([b, at]) => b.subarray(0, b.length === 0 ? 0 : at % b.length)),
    fc.tuple(base, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([b, at, ins]) => {
      const i = b.length === 0 ? 0 : at % b.length;
      return Uint8Array.from([...b.subarray(0, i), ...ins, ...b.subarray(i)]);
    }),
    fc.tuple(base, base, protobufMessage).map(([a, b, c]) => Uint8Array.from([...a, ...c, ...b])),
  );
}

/** Any wire input: raw bytes, a protobuf-shaped message, or a mutated valid one. */
export function wireInput(valid: readonly Uint8Array[] = []): fc.Arbitrary<Uint8Array> {
  return fc.oneof(fc.uint8Array({ maxLength: 64 }), protobufMessage, mutatedMessage(valid));
}
