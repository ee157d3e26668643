import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorCode } from '@peerweave/core';
import {
  CommitLog,
  type CommitLogRecord,
  encodeLogRecord,
  type LoggedRecord,
  readCommitLog,
  readLogBytes,
} from './commit-log.ts';
import { moduloPattern } from './testing/index.ts';

let root: string;
let files = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'peerweave-log-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function freshPath(): string {
  files += 1;
  return join(root, `commit-${files}.log`);
}

const NAME_A = 'bafkreidon73zkcrwdb5iafqtijxildoonbwnpv7dyd6ef3qdgads2jc4su';
const NAME_B = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';

async function readAll(path: string): Promise<{ record: LoggedRecord; bytes: Uint8Array }[]> {
  const handle = await open(path, 'r');
  try {
    const out: { record: LoggedRecord; bytes: Uint8Array }[] = [];
    for await (const record of readCommitLog(handle)) out.push({ record, bytes: await readLogBytes(handle, record) });
    return out;
  } finally {
    await handle.close();
  }
}

function encoded(records: CommitLogRecord[]): Buffer {
  return Buffer.concat(records.flatMap(encodeLogRecord));
}

describe('commit log records', () => {
  it('reads back what was written, puts and deletes, in order', async () => {
    const path = freshPath();
    await writeFile(
      path,
      encoded([
        { kind: 'put', name: NAME_A, bytes: moduloPattern(300) },
        { kind: 'delete', name: NAME_A },
        { kind: 'put', name: NAME_B, bytes: new Uint8Array() },
      ]),
    );
    const read = await readAll(path);
    assert.deepEqual(
      read.map(({ record, bytes }) => [record.kind, record.name, bytes.length]),
      [
        ['put', NAME_A, 300],
        ['delete', NAME_A, 0],
        ['put', NAME_B, 0],
      ],
    );
    assert.deepEqual(read[0]?.bytes, moduloPattern(300));
  });

  const damages: [string, (log: Buffer, firstLength: number) => Buffer][] = [
    ['cut inside the bytes', (log) => log.subarray(0, log.length - 1)],
    ['cut inside the header', (log, first) => log.subarray(0, first + 9)],
    ['zero-filled', (log, first) => Buffer.concat([log.subarray(0, first), Buffer.alloc(log.length - first)])],
    [
      'a damaged header (CRC)',
      (log, first) => {
        const copy = Buffer.from(log);
        copy[first + 20] = (copy[first + 20] ?? 0) ^ 0x01; // a character of the name
        return copy;
      },
    ],
    [
      'a length past the end',
      (log, first) => {
        const copy = Buffer.from(log);
        copy.writeUInt32LE(0xffffffff, first + 6);
        return copy;
      },
    ],
  ];
  for (const [what, damage] of damages) {
    it(`stops at a record ${what}`, async () => {
      const path = freshPath();
      const first = encoded([{ kind: 'put', name: NAME_A, bytes: moduloPattern(100) }]);
      const log = Buffer.concat([first, encoded([{ kind: 'put', name: NAME_B, bytes: moduloPattern(200) }])]);
      await writeFile(path, damage(log, first.length));
      assert.deepEqual(
        (await readAll(path)).map(({ record }) => record.name),
        [NAME_A],
      );
    });
  }

  it('refuses to encode a name that is empty or too long', () => {
    assert.throws(() => encodeLogRecord({ kind: 'delete', name: '' }), RangeError);
    assert.throws(() => encodeLogRecord({ kind: 'delete', name: 'b'.repeat(200) }), RangeError);
  });
});

describe('CommitLog', () => {
  it('appends after what a previous process left, and runs onLogged before later work', async () => {
    const path = freshPath();
    await writeFile(path, encoded([{ kind: 'delete', name: NAME_A }]));
    const log = new CommitLog({ path });
    const order: string[] = [];
    await Promise.all([
      log.append([{ kind: 'put', name: NAME_B, bytes: moduloPattern(10) }], () => order.push('logged')),
      log.exclusive(async () => {
        order.push('exclusive');
      }),
    ]);
    assert.deepEqual(order, ['logged', 'exclusive']);
    assert.deepEqual(
      (await readAll(path)).map(({ record }) => `${record.kind} ${record.name}`),
      [`delete ${NAME_A}`, `put ${NAME_B}`],
    );
    assert.equal(log.size, (await readFile(path)).length);
    await log.exclusive(() => log.truncate());
    assert.equal((await readFile(path)).length, 0);
    assert.equal(log.size, 0);
    await log.close();
  });

  it('rejects only the appends of a failed write; the log goes on', async () => {
    const path = freshPath();
    const log = new CommitLog({ path });
    await log.append([{ kind: 'delete', name: NAME_A }]);
    const size = log.size;
    // Not bytes: writev throws. (A write failing half-way, ENOSPC, is cut back to `size` the same way.)
    const notBytes = { length: 4 } as unknown as Uint8Array;
    await assert.rejects(log.append([{ kind: 'put', name: NAME_B, bytes: notBytes }]));
    assert.equal(log.size, size);
    assert.equal(log.failure, undefined);
    await log.append([{ kind: 'delete', name: NAME_B }]);
    assert.deepEqual(
      (await readAll(path)).map(({ record }) => record.name),
      [NAME_A, NAME_B],
    );
    await log.close();
  });

  it('refuses appends once failed', async () => {
    const log = new CommitLog({ path: freshPath() });
    log.fail(new Error('EIO'));
    await assert.rejects(log.append([{ kind: 'delete', name: NAME_A }]), (err) => errorCode(err) === 'UNAVAILABLE');
    await log.close();
  });
});
