import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatFields, formatRate, formatTable, shortId, transferSummary } from './format.ts';
import { etaMs, progressLine } from './progress.ts';
import { contentTypeFor } from './content-type.ts';
import { safeFileName } from './commands/get.ts';
import { formatPeers } from './commands/peers.ts';
import { formatStatus } from './commands/status.ts';
import { networkReason } from './node-client.ts';

describe('formatBytes', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [3 * 1024 * 1024, '3.0 MiB'],
    [50 * 1024 * 1024, '50.0 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [-1, '?'],
    [Number.NaN, '?'],
  ];
  for (const [bytes, text] of cases) it(`${bytes} → ${text}`, () => assert.equal(formatBytes(bytes), text));
});

describe('formatDuration and formatRate', () => {
  it('seconds with a decimal below a minute, then minutes, hours and days', () => {
    assert.equal(formatDuration(2_100), '2.1 s');
    assert.equal(formatDuration(252_500), '4m 12s');
    assert.equal(formatDuration(3 * 3600_000 + 5 * 60_000), '3h 05m');
    assert.equal(formatDuration(26 * 3600_000), '1d 2h 00m');
  });
  it('a rate per second, and a dash when no time passed', () => {
    assert.equal(formatRate(50 * 1024 * 1024, 2_000), '25.0 MiB/s');
    assert.equal(formatRate(10, 0), '–');
  });
  it('the closing line of a transfer', () => {
    assert.equal(transferSummary('stored', 'bafyx', 50 * 1024 * 1024, 2_100), 'stored bafyx (50.0 MiB in 2.1 s, 23.8 MiB/s)');
  });
});

describe('progress text', () => {
  it('says how far, of how much, how fast', () => {
    assert.equal(progressLine('put a.bin', 12 * 1024 * 1024, 48 * 1024 * 1024, 1_000), 'put a.bin: 12.0 MiB of 48.0 MiB (25%), 12.0 MiB/s');
    assert.equal(progressLine('get x', 1024, undefined, 1_000), 'get x: 1.0 KiB, 1.0 KiB/s');
  });
  it('ETA at the average rate so far', () => {
    assert.equal(etaMs(25, 100, 1_000), 3_000);
    assert.equal(etaMs(0, 100, 1_000), undefined);
    assert.equal(etaMs(10, undefined, 1_000), undefined);
  });
});

describe('tables', () => {
  it('pads columns, right-aligns numbers, leaves no trailing spaces', () => {
    const text = formatTable(
      [
        { a: 'x', n: 5 },
        { a: 'longer', n: 120 },
      ],
      [
        { header: 'NAME', value: (r) => r.a },
        { header: 'N', value: (r) => String(r.n), right: true },
      ],
    );
    assert.equal(text, ['NAME      N', 'x         5', 'longer  120'].join('\n'));
  });
  it('key/value fields', () => {
    assert.equal(formatFields([['id', 'abc'], ['version', '1']]), 'id       abc\nversion  1');
  });
  it('peers: short ids, sorted by bucket, a count line', () => {
    const id = (c: string): string => c.repeat(64);
    const text = formatPeers({
      self: id('f'),
      count: 2,
      peers: [
        { id: id('b'), address: '10.0.0.3:7400', role: 'supernode', state: 'suspect', bucket: 255 },
        { id: id('a'), address: '10.0.0.2:7400', role: 'peer', state: 'alive', bucket: 250 },
      ],
    });
    const lines = text.split('\n');
    assert.match(lines[0]!, /^ID\s+ADDRESS\s+STATE\s+ROLE\s+BUCKET$/);
    assert.match(lines[1]!, /^aaaaaaaaaaaa {2}10\.0\.0\.2:7400 {2}alive\s+peer\s+250$/);
    assert.match(lines[2]!, /^bbbbbbbbbbbb .*suspect .*supernode\s+255$/);
    assert.equal(lines[3], '2 peers known to ffffffffffff');
    assert.equal(shortId('abc'), 'abc');
  });
  it('status', () => {
    const text = formatStatus('http://n:1', {
      id: 'ab'.repeat(32),
      role: 'peer',
      version: '0.1.0',
      uptimeSeconds: 252.5,
      addresses: { http: ['http://10.0.0.1:8080'], grpc: ['10.0.0.1:7400'] },
    });
    assert.match(text, /^node {5}http:\/\/n:1$/m);
    assert.match(text, /^uptime {3}4m 12s$/m);
    assert.match(text, /^grpc {5}10\.0\.0\.1:7400$/m);
  });
});

describe('file names and types', () => {
  it('a stored name is never a path', () => {
    assert.equal(safeFileName('photo.jpg'), 'photo.jpg');
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('C:\\x\\y.txt'), 'y.txt');
    assert.equal(safeFileName('a\u0000b\nc'), 'abc');
    assert.equal(safeFileName('..'), undefined);
    assert.equal(safeFileName('dir/'), undefined);
    assert.equal(safeFileName(''), undefined);
    assert.equal(safeFileName(undefined), undefined);
  });
  it('media type by extension, else octet-stream', () => {
    assert.equal(contentTypeFor('a/photo.JPG'), 'image/jpeg');
    assert.equal(contentTypeFor('notes.txt'), 'text/plain; charset=utf-8');
    assert.equal(contentTypeFor('blob'), 'application/octet-stream');
    assert.equal(contentTypeFor('x.weird'), 'application/octet-stream');
  });
});

describe('networkReason', () => {
  it('finds the errno code undici wraps', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    assert.equal(networkReason(err), 'ECONNREFUSED');
  });
  it('else the deepest message', () => {
    const err = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    assert.equal(networkReason(err), 'other side closed (UND_ERR_SOCKET)');
    assert.equal(networkReason(new Error('boom')), 'boom');
  });
});
