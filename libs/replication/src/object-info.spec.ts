import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signRecord } from '@peerweave/storage';
import { dagInfo, toInfo } from './object-info.ts';
import { signer } from './test-support.ts';

describe('object info', () => {
  it('from a record: its fields, the creation time as ISO, a copy of the keywords', () => {
    const record = signRecord({ cid: 'c', name: 'n', contentType: 'text/plain', size: 5, blocks: 1, keywords: ['a', 'b'], createdMs: 1_000 }, signer());
    const info = toInfo(record);
    assert.deepEqual(info, { cid: 'c', name: 'n', contentType: 'text/plain', size: 5, blocks: 1, keywords: ['a', 'b'], created: '1970-01-01T00:00:01.000Z', uploader: record.uploader });
    assert.notEqual(info.keywords, record.keywords);
  });

  const cases: [blocks: number | undefined, expected: number][] = [
    [3, 3],
    [undefined, 0],
  ];
  for (const [blocks, expected] of cases) {
    it(`from a DAG alone (${blocks} blocks): anonymous bytes`, () =>
      assert.deepEqual(dagInfo('c', 9, blocks), { cid: 'c', name: '', contentType: 'application/octet-stream', size: 9, blocks: expected, keywords: [], created: '1970-01-01T00:00:00.000Z', uploader: '' }));
  }
});
