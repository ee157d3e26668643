import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPeerweaveError } from '@peerweave/core';
import { Identity, KEY_FILE, createClusterCa, issueNodeCertificate, nodeIdFromCertificate } from '@peerweave/identity';
import type { CommandContext } from '../command-context.ts';
import { LocalFileError, UsageError, localFileError } from '../errors.ts';

/** Names of the two files of a CA directory (`peerweave cluster ca init DIR`). */
export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
/** Out-of-band certificates are renewed by an operator, not by the node: a month by default. */
export const DEFAULT_ISSUE_VALIDITY = '30d';
const MAX_VALIDITY_MS = 3650 * 24 * 60 * 60 * 1000;

export interface CaIssueOptions {
  ca: string;
  nodeKey?: string;
  dataDir?: string;
  validity: string;
  out: string;
}

/**
 * `peerweave cluster ca init DIR`: a new cluster CA in DIR/ca.crt and DIR/ca.key (0600). Never
 * overwrites: an existing CA is what every node's certificate chains to, and losing its key loses
 * admission for the whole cluster (exit 4, the files untouched).
 */
export async function caInitCommand(ctx: CommandContext, dirArg: string, options: { name?: string }): Promise<void> {
  const dir = resolve(ctx.io.cwd, dirArg);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  for (const path of [certPath, keyPath]) {
    if (await exists(path)) {
      throw new LocalFileError(`${path} already exists: refusing to overwrite a cluster CA (every node's certificate chains to it); pick another directory or remove it yourself`);
    }
  }
  const ca = await createClusterCa(options.name === undefined ? {} : { commonName: options.name }).catch((err: unknown) => {
    throw isPeerweaveError(err) ? new UsageError(`cluster ca init: ${err.message}`, { cause: err }) : err;
  });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw localFileError(err, dir, 'create');
  }
  // The key first, exclusively: two concurrent inits cannot both win.
  await writeNew(keyPath, ca.keyPem, 0o600, false);
  await writeNew(certPath, ca.certPem, 0o644, false);
  const fingerprint = fingerprintOf(ca.certPem);
  if (ctx.globals.json) {
    ctx.json({ cert: certPath, key: keyPath, sha256: fingerprint });
    return;
  }
  ctx.out(`${certPath}\n${keyPath}`);
  ctx.info(`cluster CA made (SHA-256 ${fingerprint}). ${CA_KEY_FILE} admits nodes: whoever holds it can join the cluster. Keep it secret.`);
}

/**
 * `peerweave cluster ca issue --ca DIR (--node-key FILE | --data-dir DIR) [--validity 30d] --out FILE`:
 * a certificate for that node's key, for a node started with PEERWEAVE_CLUSTER_CA + PEERWEAVE_TLS_CERT
 * (the CA key stays with the operator). --out is replaced atomically, so a running node re-reading
 * it never sees half a file.
 */
export async function caIssueCommand(ctx: CommandContext, options: CaIssueOptions): Promise<void> {
  if ((options.nodeKey === undefined) === (options.dataDir === undefined)) {
    throw new UsageError('cluster ca issue: give exactly one of --node-key FILE or --data-dir DIR');
  }
  const validityMs = parseValidity(options.validity);
  const caDir = resolve(ctx.io.cwd, options.ca);
  const certPem = await readLocal(join(caDir, CA_CERT_FILE));
  const keyPem = await readLocal(join(caDir, CA_KEY_FILE));
  const nodeKeyPath = options.nodeKey !== undefined ? resolve(ctx.io.cwd, options.nodeKey) : join(resolve(ctx.io.cwd, options.dataDir!), KEY_FILE);
  const nodeKeyPem = await readLocal(nodeKeyPath);
  let identity: Identity;
  try {
    identity = new Identity(createPrivateKey(nodeKeyPem));
  } catch (err) {
    throw new LocalFileError(`${nodeKeyPath} does not hold a node key (an Ed25519 PKCS#8 PEM private key, as ${KEY_FILE})`, { cause: err });
  }
  let issued: string;
  try {
    issued = await issueNodeCertificate({ certPem, keyPem }, identity, { validityMs });
  } catch (err) {
    if (!isPeerweaveError(err)) throw err;
    throw new LocalFileError(`cannot issue with the CA in ${caDir}: ${err.message}`, { cause: err });
  }
  const outPath = resolve(ctx.io.cwd, options.out);
  await writeNew(outPath, issued, 0o644, true);
  const nodeId = nodeIdFromCertificate(issued).toHex();
  const notAfter = new X509Certificate(issued).validToDate.toISOString();
  if (ctx.globals.json) {
    ctx.json({ cert: outPath, nodeId, notAfter });
    return;
  }
  ctx.out(outPath);
  ctx.info(`certificate for node ${nodeId}, valid until ${notAfter}`);
}

/** `90s`, `30m`, `12h`, `30d` → milliseconds (at most 3650 days). */
export function parseValidity(text: string): number {
  const m = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m === null ? NaN : Number(m[1]) * unit[m[2] as keyof typeof unit];
  if (!(ms >= 60_000 && ms <= MAX_VALIDITY_MS)) {
    throw new UsageError(`cluster ca issue: --validity expects a duration like 12h or 30d, between 1m and 3650d, got "${text}"`);
  }
  return ms;
}

function fingerprintOf(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw localFileError(err, path, 'check');
  }
}

async function readLocal(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw localFileError(err, path, 'read');
  }
}

/** Writes `text` to `path` with `mode`: fsynced through a temporary file, renamed over `path` if `replace`, never over it otherwise. */
async function writeNew(path: string, text: string, mode: number, replace: boolean): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fh = await open(replace ? tmp : path, 'wx', mode);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (replace) await rename(tmp, path);
  } catch (err) {
    if (replace) await unlink(tmp).catch(() => {});
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !replace) {
      throw new LocalFileError(`${path} already exists: refusing to overwrite it`, { cause: err });
    }
    throw localFileError(err, path, 'write');
  }
}
