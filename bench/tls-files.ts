// TLS files for the benches' raw mutual-TLS baselines (bench/mtls.ts, bench/read-shape.ts): a
// cluster CA and two node certificates, as the nodes use them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Identity, createClusterCa, issueNodeCertificate, privateKeyPem } from '@peerweave/identity';
import type { TlsMaterial } from '@peerweave/protocol';

/** A cluster CA and two node certificates (server, client) in a temporary folder. */
export async function makeTls(dir: string): Promise<{ serverDir: string; client: TlsMaterial }> {
  const ca = await createClusterCa();
  const issue = async (name: string): Promise<TlsMaterial> => {
    const identity = Identity.generate();
    const material = { caPem: ca.certPem, certPem: await issueNodeCertificate(ca, identity), keyPem: privateKeyPem(identity) };
    writeFileSync(join(dir, `${name}-ca.pem`), material.caPem);
    return material;
  };
  const server = await issue('server');
  writeFileSync(join(dir, 'ca.pem'), server.caPem);
  writeFileSync(join(dir, 'cert.pem'), server.certPem);
  writeFileSync(join(dir, 'key.pem'), server.keyPem, { mode: 0o600 });
  const client = await issue('client');
  writeFileSync(join(dir, 'client-cert.pem'), client.certPem);
  writeFileSync(join(dir, 'client-key.pem'), client.keyPem, { mode: 0o600 });
  return { serverDir: dir, client };
}

/** The `tls` options of Node's TLS server (`server`) or client (`client`) from {@link makeTls}'s folder. */
export function readTlsOptions(dir: string, who: 'server' | 'client'): { ca: string; cert: string; key: string } {
  const prefix = who === 'server' ? '' : 'client-';
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), cert: readFileSync(join(dir, `${prefix}cert.pem`), 'utf8'), key: readFileSync(join(dir, `${prefix}key.pem`), 'utf8') };
}
