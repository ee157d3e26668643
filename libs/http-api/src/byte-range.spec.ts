import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentRange, parseRange } from './byte-range.ts';
import type { ByteRange } from './content-routes-init.ts';

test('parseRange: one range, clamped; bad ones ignored; outside ones unsatisfiable', () => {
  const U = 'unsatisfiable' as const;
  const table: [string | undefined, number, ByteRange | typeof U | undefined][] = [
    [undefined, 100, undefined],
    ['bytes=0-9', 100, { offset: 0, length: 10 }],
    ['bytes=10-10', 100, { offset: 10, length: 1 }],
    ['bytes=90-', 100, { offset: 90, length: 10 }],
    ['bytes=0-', 100, { offset: 0, length: 100 }],
    ['bytes=90-200', 100, { offset: 90, length: 10 }],
    ['bytes=99-99', 100, { offset: 99, length: 1 }],
    ['bytes=-10', 100, { offset: 90, length: 10 }],
    ['bytes=-100', 100, { offset: 0, length: 100 }],
    ['bytes=-500', 100, { offset: 0, length: 100 }],
    ['bytes=0-99999999999999999999999', 100, { offset: 0, length: 100 }],
    ['BYTES=1-2', 100, { offset: 1, length: 2 }],
    ['bytes= 1-2 ', 100, { offset: 1, length: 2 }],
    ['bytes=007-008', 100, { offset: 7, length: 2 }],
    // Unsatisfiable: 416.
    ['bytes=100-', 100, U],
    ['bytes=100-200', 100, U],
    ['bytes=99999999999999999999999-', 100, U],
    ['bytes=-0', 100, U],
    ['bytes=0-0', 0, U],
    ['bytes=-5', 0, U],
    ['bytes=0-', 0, U],
    // Malformed or several ranges: ignored, the whole representation is sent.
    ['bytes=5-2', 100, undefined],
    ['bytes=-', 100, undefined],
    ['bytes=', 100, undefined],
    ['bytes=a-b', 100, undefined],
    ['bytes=1-2-3', 100, undefined],
    ['bytes=-1-2', 100, undefined],
    ['bytes=0-1,5-6', 100, undefined],
    ['bytes=0-1, 200-300', 100, undefined],
    ['bytes=+1-2', 100, undefined],
    ['bytes=1.5-2', 100, undefined],
    ['items=0-1', 100, undefined],
    ['0-1', 100, undefined],
    ['', 100, undefined],
  ];
  for (const [header, size, expected] of table) assert.deepEqual(parseRange(header, size), expected, `${header} of ${size}`);
});

test('contentRange names the last byte, not the end', () => {
  assert.equal(contentRange({ offset: 0, length: 10 }, 100), 'bytes 0-9/100');
  assert.equal(contentRange({ offset: 99, length: 1 }, 100), 'bytes 99-99/100');
});
