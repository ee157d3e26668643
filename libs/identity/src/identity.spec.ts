import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Identity, KEY_FILE, loadOrCreateIdentity, nodeIdFromPublicKey, verifySignature } from './index.ts';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-identity-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('identity', () => {
  it('derives the node id as SHA-256 of the raw public key', () => {
    const id = Identity.generate();
    assert.equal(id.publicKey.length, 32);
    assert.equal(id.id.toHex(), createHash('sha256').update(id.publicKey).digest('hex'));
    assert.match(id.id.toHex(), /^[0-9a-f]{64}$/);
    assert.ok(nodeIdFromPublicKey(id.publicKey).equals(id.id));
  });

  it('creates the key on first start with mode 0600 and keeps the id across restarts', async () => {
    await withTempDir(async (dir) => {
      const first = await loadOrCreateIdentity(join(dir, 'data'));
      const mode = (await stat(join(dir, 'data', KEY_FILE))).mode & 0o777;
      assert.equal(mode, 0o600);
      const second = await loadOrCreateIdentity(join(dir, 'data'));
      assert.equal(second.id.toHex(), first.id.toHex());
    });
  });

  it('gives different nodes different ids', () => {
    const ids = new Set(Array.from({ length: 20 }, () => Identity.generate().id.toHex()));
    assert.equal(ids.size, 20);
  });

  it('signs so that only the matching public key verifies', () => {
    const a = Identity.generate();
    const b = Identity.generate();
    const msg = new TextEncoder().encode('hello');
    const sig = a.sign(msg);
    assert.equal(verifySignature(a.publicKey, msg, sig), true);
    assert.equal(verifySignature(b.publicKey, msg, sig), false);
    assert.equal(verifySignature(a.publicKey, new TextEncoder().encode('hellO'), sig), false);
    assert.equal(verifySignature(new Uint8Array(5), msg, sig), false);
  });

  it('refuses a corrupt key file with INVALID_CONFIG instead of making a new id', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, KEY_FILE), 'not a key', { mode: 0o600 });
      await assert.rejects(loadOrCreateIdentity(dir), { code: 'INVALID_CONFIG' });
      assert.equal(await readFile(join(dir, KEY_FILE), 'utf8'), 'not a key');
    });
  });

  it('refuses a key file readable by others', async () => {
    await withTempDir(async (dir) => {
      await loadOrCreateIdentity(dir);
      await chmod(join(dir, KEY_FILE), 0o644);
      await assert.rejects(loadOrCreateIdentity(dir), { code: 'INVALID_CONFIG', message: /chmod 600/ });
    });
  });
});
