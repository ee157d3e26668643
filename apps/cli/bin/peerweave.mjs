#!/usr/bin/env node
// The `peerweave` command (root package.json "bin", and apps/cli's for `npx peerweave` in the
// checkout). Node >= 22.18 runs the TypeScript source directly; older ones use the bundle that
// `node scripts/build.ts` writes, if there is one. Paths are relative to this file's real location:
// npm links the global bin to the checkout, and Node resolves the link before loading.
import process from 'node:process';
import { URL } from 'node:url';

const source = new URL('../src/main.ts', import.meta.url);
const bundle = new URL('../../../dist/lib/cli/main.mjs', import.meta.url);

if (process.features.typescript) {
  await import(source.href);
} else {
  const { existsSync } = await import('node:fs');
  if (!existsSync(bundle)) {
    process.stderr.write(
      `peerweave: this Node (${process.version}) cannot run TypeScript and there is no bundle at ${bundle.pathname}: ` +
        'use Node >= 22.18, or run `node scripts/build.ts` in the checkout\n',
    );
    process.exit(4);
  }
  await import(bundle.href);
}
