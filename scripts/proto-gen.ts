/**
 * Generates the TypeScript types of every protocol file under proto/peerweave/ into
 * libs/protocol/src/generated/ with proto-loader-gen-types, using the loader options the protocol lib
 * loads the files with at run time (one definition: libs/protocol/src/loader-options.ts).
 *
 *   node scripts/proto-gen.ts            regenerate (replaces the generated directory)
 *   node scripts/proto-gen.ts --check    exit 1 if the committed generated code differs from a
 *                                        fresh generation (changed, extra or missing files)
 *   --root DIR                           work on another checkout (tests use a temp copy)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { protoGenTypesFlags } from '../libs/protocol/src/loader-options.ts';

const PROTO_DIR = 'proto';
const PROTO_PACKAGE_DIR = 'proto/peerweave';
const GENERATED_DIR = 'libs/protocol/src/generated';
const STALE_MESSAGE = 'generated code is stale: run npm run proto:gen';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    root: { type: 'string', default: resolve(dirname(fileURLToPath(import.meta.url)), '..') },
  },
});
const root = resolve(values.root);

/** Every file under `dir`, as paths relative to it, sorted. */
function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Runs proto-loader-gen-types over every protocol file into `outDir`. */
function generate(outDir: string): void {
  const protoFiles = listFiles(join(root, PROTO_PACKAGE_DIR))
    .filter((f) => f.endsWith('.proto'))
    .map((f) => relative(join(root, PROTO_DIR), join(root, PROTO_PACKAGE_DIR, f)));
  if (protoFiles.length === 0) throw new Error(`no .proto files under ${join(root, PROTO_PACKAGE_DIR)}`);
  const require = createRequire(import.meta.url);
  const pkgJsonPath = require.resolve('@grpc/proto-loader/package.json');
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { bin: Record<string, string> };
  const bin = join(dirname(pkgJsonPath), pkg.bin['proto-loader-gen-types'] ?? '');
  const args = [
    bin,
    ...protoGenTypesFlags(),
    '--grpcLib', '@grpc/grpc-js',
    // Node's type stripping and verbatimModuleSyntax need explicit `.ts` specifiers.
    '--importFileExtension', '.ts',
    '--includeDirs', PROTO_DIR,
    '--outDir', outDir,
    ...protoFiles,
  ];
  // Relative include dir and cwd = root keep the "Original file:" headers independent of the checkout path.
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`proto-loader-gen-types failed with exit code ${result.status}`);
  }
}

function differences(expectedDir: string, actualDir: string): string[] {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const out: string[] = [];
  for (const f of expected) {
    if (!actual.includes(f)) out.push(`missing ${f}`);
    else if (!readFileSync(join(expectedDir, f)).equals(readFileSync(join(actualDir, f)))) out.push(`changed ${f}`);
  }
  for (const f of actual) if (!expected.includes(f)) out.push(`extra ${f}`);
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), 'peerweave-proto-gen-'));
try {
  const fresh = join(scratch, 'generated');
  generate(fresh);
  const target = join(root, GENERATED_DIR);
  if (values.check) {
    const diff = differences(fresh, target);
    if (diff.length > 0) {
      console.error(`${STALE_MESSAGE} (${diff.join(', ')})`);
      process.exitCode = 1;
    }
  } else {
    rmSync(target, { recursive: true, force: true });
    cpSync(fresh, target, { recursive: true });
    console.log(`generated ${listFiles(target).length} files into ${relative(process.cwd(), target) || '.'}`);
  }
} catch (err) {
  console.error(`proto-gen: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
