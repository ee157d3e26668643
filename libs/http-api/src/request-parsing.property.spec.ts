// Property tests of the HTTP API's header and query parsing (issue #15 item 4): Range, If-None-Match
// / If-Range, Accept and ?format=, upload metadata (name, type, keywords, Content-Disposition). For
// any text they return a value within the type's invariants and never throw.
// Knobs: FC_NUM_RUNS, FC_SEED (@peerweave/core/testing propertyParams).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { propertyParams } from '@peerweave/core/testing';
import { contentRange, parseRange } from './byte-range.ts';
import { ifNoneMatchMatches, ifRangeAllows } from './conditional-request.ts';
import { negotiateGatewayFormat, parseAccept } from './media-negotiation.ts';
import { DEFAULT_CONTENT_TYPE, filenameOfContentDisposition, splitKeywords, uploadMetaOf } from './upload-meta.ts';

const headerText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...'bytes=-0123456789, ;*"W/qQ'.split('')), maxLength: 30 }),
);
const size = fc.oneof(fc.nat({ max: 10_000 }), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER));

describe('HTTP request parsing (property)', () => {
  it('Range: a satisfiable range lies inside the representation; anything else is whole or 416, never a throw', () => {
    const rangeHeader = fc.oneof(
      headerText,
      fc.tuple(fc.constantFrom('bytes', 'BYTES ', 'items'), fc.option(fc.stringMatching(/^\d{0,25}$/)), fc.option(fc.stringMatching(/^\d{0,25}$/))).map(
        ([unit, a, b]) => `${unit}=${a ?? ''}-${b ?? ''}`,
      ),
    );
    fc.assert(
      fc.property(fc.option(rangeHeader, { nil: undefined }), size, (header, n) => {
        const r = parseRange(header, n);
        if (r === undefined || r === 'unsatisfiable') return;
        assert.ok(Number.isSafeInteger(r.offset) && r.offset >= 0, `offset ${r.offset}`);
        assert.ok(Number.isSafeInteger(r.length) && r.length >= 1, `length ${r.length}`);
        assert.ok(r.offset + r.length <= n, `${r.offset}+${r.length} > ${n}`);
        assert.match(contentRange(r, n), /^bytes \d+-\d+\/\d+$/);
      }),
      propertyParams(1000),
    );
  });

  it('If-None-Match / If-Range: booleans for any header, and a listed tag always matches', () => {
    const etag = fc.stringMatching(/^(W\/)?"[a-z0-9]{1,20}"$/);
    fc.assert(
      fc.property(fc.option(headerText, { nil: undefined }), etag, (header, tag) => {
        assert.equal(typeof ifNoneMatchMatches(header, tag), 'boolean');
        assert.equal(typeof ifRangeAllows(header, tag), 'boolean');
        assert.equal(ifNoneMatchMatches(`${header ?? ''}, ${tag}`, tag), true);
      }),
      propertyParams(1000),
    );
  });

  it('Accept and ?format=: ranges have q in (0, 1], sorted; the format is one of raw/car/file or undefined', () => {
    fc.assert(
      fc.property(headerText, fc.option(headerText, { nil: undefined }), fc.option(fc.constantFrom('raw', 'car', 'file', '', 'RAW'), { nil: undefined }), (accept, a2, format) => {
        const ranges = parseAccept(accept);
        for (const [i, r] of ranges.entries()) {
          assert.ok(r.q > 0 && r.q <= 1, `q ${r.q}`);
          assert.match(r.type, /^[^\s/]+\/[^\s/]+$/);
          if (i > 0) assert.ok(ranges[i - 1]!.q >= r.q);
        }
        const f = negotiateGatewayFormat(a2, format);
        assert.ok(f === undefined || f === 'raw' || f === 'car' || f === 'file');
      }),
      propertyParams(1000),
    );
  });

  it('upload metadata: a name is never a path, keywords are trimmed and non-empty, the type has no control characters', () => {
    const cd = fc.oneof(
      headerText,
      fc.tuple(fc.constantFrom('attachment', 'inline'), fc.constantFrom('filename', 'filename*', 'FILENAME'), headerText).map(([d, k, v]) => `${d}; ${k}=${v}`),
      fc.tuple(fc.constantFrom("utf-8''", "iso-8859-1''", "x''", ''), fc.string({ unit: fc.constantFrom(...'%AFaf09/\\.'.split('')), maxLength: 20 })).map(([c, v]) => `attachment; filename*=${c}${v}`),
    );
    fc.assert(
      fc.property(
        fc.record({ name: fc.option(headerText, { nil: undefined }), type: fc.option(headerText, { nil: undefined }), keywords: fc.option(headerText, { nil: undefined }) }),
        fc.record({ 'content-disposition': fc.option(cd, { nil: undefined }), 'content-type': fc.option(headerText, { nil: undefined }), 'x-peerweave-keywords': fc.option(headerText, { nil: undefined }) }),
        (query, headers) => {
          const meta = uploadMetaOf(query, headers);
          assert.equal(typeof meta.name, 'string');
          for (const k of meta.keywords) assert.ok(k !== '' && k === k.trim());
          if (query.type === undefined || query.type === '') {
            assert.ok(meta.contentType === DEFAULT_CONTENT_TYPE || ![...meta.contentType].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
          }
          const file = filenameOfContentDisposition(headers['content-disposition']);
          if (file !== undefined) {
            assert.ok(file !== '' && !file.includes('/') && !file.includes('\\'), `path-like name ${JSON.stringify(file)}`);
          }
          for (const k of splitKeywords(query.keywords ?? '')) assert.ok(k !== '' && !k.includes(','));
        },
      ),
      propertyParams(1000),
    );
  });
});
