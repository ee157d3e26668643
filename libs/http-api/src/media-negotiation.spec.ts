import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateGatewayFormat, parseAccept, type GatewayFormat } from './media-negotiation.ts';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

test('parseAccept orders by q, keeps ties in order, drops q=0 and junk', () => {
  assert.deepEqual(
    parseAccept('a/b;q=0.5, c/d, E/F;Q=0.9;x="y", g/h;q=0, junk, i/j;q=abc').map((r) => [r.type, r.q]),
    [
      ['c/d', 1],
      ['i/j', 1],
      ['e/f', 0.9],
      ['a/b', 0.5],
    ],
  );
  assert.deepEqual(parseAccept('application/vnd.ipld.car; version=1; order=dfs')[0]!.params, { version: '1', order: 'dfs' });
});

test('negotiateGatewayFormat: format wins, then Accept by weight; unknown alone is 406', () => {
  const table: [string | undefined, string | undefined, GatewayFormat | undefined][] = [
    [undefined, undefined, 'file'],
    ['', undefined, 'file'],
    ['*/*', undefined, 'file'],
    [BROWSER, undefined, 'file'],
    ['text/html', undefined, 'file'],
    ['application/vnd.ipld.raw', undefined, 'raw'],
    ['application/vnd.ipld.car', undefined, 'car'],
    ['application/vnd.ipld.car; version=1; order=dfs; dups=y', undefined, 'car'],
    ['application/vnd.ipld.car; version=2', undefined, undefined],
    ['application/vnd.ipld.car; version=2, application/vnd.ipld.raw;q=0.5', undefined, 'raw'],
    ['application/vnd.ipld.raw;q=0.5, application/vnd.ipld.car', undefined, 'car'],
    ['application/vnd.ipld.raw, application/vnd.ipld.car', undefined, 'raw'],
    ['application/json, */*;q=0.1', undefined, 'file'],
    ['application/vnd.ipld.raw, */*;q=0.1', undefined, 'raw'],
    ['application/vnd.ipld.raw;q=0, */*', undefined, 'file'],
    ['application/json', undefined, undefined],
    ['application/vnd.ipld.dag-json', undefined, undefined],
    ['application/vnd.ipld.dag-json, application/json', undefined, undefined],
    ['*/*;q=0', undefined, undefined],
    ['application/json', 'raw', 'raw'],
    ['application/vnd.ipld.raw', 'car', 'car'],
    [undefined, 'car', 'car'],
    [undefined, '', 'file'],
    [undefined, 'dag-json', undefined],
    [undefined, 'tar', undefined],
  ];
  for (const [accept, format, expected] of table) {
    assert.equal(negotiateGatewayFormat(accept, format), expected, `${accept} ${format}`);
  }
});
