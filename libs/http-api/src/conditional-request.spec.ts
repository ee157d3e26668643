import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ifNoneMatchMatches, ifRangeAllows } from './conditional-request.ts';

const TAG = '"bafy1"';

test('If-None-Match uses weak comparison over a list, and * matches', () => {
  const table: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['"bafy1"', true],
    ['W/"bafy1"', true],
    ['"other", "bafy1"', true],
    ['"other"', false],
    ['bafy1', false],
    ['*', true],
    ['"bafy1.raw"', false],
  ];
  for (const [header, expected] of table) assert.equal(ifNoneMatchMatches(header, TAG), expected, String(header));
});

test('If-Range allows the range only for the exact strong ETag', () => {
  const table: [string | undefined, boolean][] = [
    [undefined, true],
    ['"bafy1"', true],
    [' "bafy1" ', true],
    ['W/"bafy1"', false],
    ['"other"', false],
    ['Wed, 21 Oct 2015 07:28:00 GMT', false],
  ];
  for (const [header, expected] of table) assert.equal(ifRangeAllows(header, TAG), expected, String(header));
});
