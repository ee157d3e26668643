// Bundles the apps for the container image: `node scripts/build.ts` (Node >= 22.18, type stripping).
//
// Layout of dist/ (copied as-is to /app in the image):
//   dist/lib/<app>/main.mjs (+ .map)   one ESM bundle per app, all dependencies inside; what it loads
//   dist/lib/<app>/chunk-*.mjs (+ .map)  only on first use (`await import()`: the UnixFS and CAR
//                                      libraries, the OpenAPI generator, gRPC reflection) is in
//                                      chunks beside it, read from disk only when imported
//   dist/lib/<app>/*.LEGAL.txt         the licence comments of the bundled dependencies
//   dist/lib/peer/openapi.json         the HTTP API's OpenAPI document, generated here from the route
//                                      schemas: a node serves it instead of loading the generator
//   dist/lib/peer/live-page/           the live page served at GET / (libs/http-api/src/live-page/,
//                                      read from beside the bundle: see live-page-assets.ts)
//   dist/lib/peer/healthcheck          the container HEALTHCHECK: a static C binary (GET /healthz,
//                                      exit 0/1), see deploy/docker/healthcheck/healthcheck.c
//   dist/lib/peer/libjemalloc.so.2     Debian's jemalloc, copied from the host (package libjemalloc2,
//                                      installed by scripts/setup.sh); the image preloads it
//   dist/proto/...                     .proto files loaded at run time
//   dist/proto/peerweave/**/*.proto.pb  each of our protocol files as a FileDescriptorSet, which a node
//                                      loads instead of parsing the .proto (libs/protocol/src/proto-packages.ts)
//
// Why dist/lib/<app>/: grpc-health-check and @grpc/reflection load their .proto files from
// `${__dirname}/../../proto/...`; in the bundle `__dirname` is the bundle's own directory, so
// dist/lib/peer/../../proto is dist/proto.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileHealthcheck } from './build-healthcheck.ts';
import { skipSameNameDefinitions } from './build-names.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

interface AppEntry {
  /** Output directory under dist/lib/. */
  readonly name: string;
  /** Entry point, relative to the repository root. */
  readonly entry: string;
  /** Also emit dist/lib/<name>/healthcheck, the static health probe (needs gcc, see build-healthcheck.ts). */
  readonly healthcheck?: boolean;
  /** Also copy the host's jemalloc to dist/lib/<name>/libjemalloc.so.2 (the image's LD_PRELOAD, see the Dockerfile). */
  readonly jemalloc?: boolean;
  /** Also emit dist/lib/<name>/openapi.json (apps/peer/src/openapi-document.ts). */
  readonly openapi?: boolean;
  /** Also copy the live page's files to dist/lib/<name>/live-page/. */
  readonly livePage?: boolean;
}

/** The apps to bundle. */
const APPS: readonly AppEntry[] = [
  { name: 'peer', entry: 'apps/peer/src/main.ts', healthcheck: true, jemalloc: true, openapi: true, livePage: true },
  // The `peerweave` CLI: its bin runs the source on Node >= 22.18 and falls back to this bundle;
  // in the image, `docker exec <peer> node /app/lib/cli/main.mjs status` asks the node itself.
  { name: 'cli', entry: 'apps/cli/src/main.ts' },
  // The bare Fastify + grpc-js server `npm run bench` measures the peer against, in the same image.
  { name: 'bench', entry: 'bench/baseline-server.ts' },
];

/**
 * Bundled CommonJS dependencies use `require`, `__filename` and `__dirname`, which do not exist in
 * an ES module. The `__pw_*` aliases avoid clashing with the names the bundle itself declares.
 */
const BANNER = [
  "import { createRequire as __pw_createRequire } from 'node:module';",
  "import { fileURLToPath as __pw_fileURLToPath } from 'node:url';",
  "import { dirname as __pw_dirname } from 'node:path';",
  'const require = __pw_createRequire(import.meta.url);',
  'const __filename = __pw_fileURLToPath(import.meta.url);',
  'const __dirname = __pw_dirname(__filename);',
].join('\n');

/** Directory of an installed package (works for packages whose `exports` hide package.json). */
function packageDir(name: string): string {
  let dir = dirname(createRequire(join(ROOT, 'package.json')).resolve(name));
  while (!existsSync(join(dir, 'package.json')) || readJson(join(dir, 'package.json')).name !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = parent;
  }
  return dir;
}

function readJson(file: string): { name?: string; version?: string } {
  return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
}

/** [source, destination under dist/proto] pairs. */
function protoSources(): Array<[string, string]> {
  return [
    [join(ROOT, 'proto'), '.'],
    // grpc-health-check: `${__dirname}/../../proto/health/v1/health.proto`
    [join(packageDir('grpc-health-check'), 'proto'), '.'],
    // @grpc/reflection: `${__dirname}/../../proto/grpc/reflection/{v1,v1alpha}/reflection.proto`
    // (its package keeps them under build/proto, next to test samples we do not want)
    [join(packageDir('@grpc/reflection'), 'build', 'proto', 'grpc', 'reflection'), 'grpc/reflection'],
  ];
}

// --- Memory of the loaded bundle --------------------------------------------------------------
// V8 keeps the source text of every script for the life of the process (lazy compilation and
// Function.prototype.toString need it): one byte per character while the file is pure ASCII, two
// as soon as it holds one other character (measured: one `ä` in a licence comment did it). So:
//   - minifyWhitespace: no comments, no indentation. The peer's bundle goes from 4.4 to 3.0 MB of
//     source, and its idle RSS down by ~5 MiB (measured, Node 24). Identifiers are not minified,
//     so a stack trace still names every function; the (linked) source map gives file and line.
//   - legalComments: 'linked': licence comments go to main.mjs.LEGAL.txt (one, with a non-ASCII
//     name, made the whole bundle two-byte, another ~4 MiB).
//   - checkAscii(): charset 'ascii' (esbuild's default) escapes whatever is left in code, so a
//     non-ASCII byte can only come from a kept comment; the build fails rather than ship one.
//   - splitting: what is loaded with `await import()` is a chunk of its own, never read until
//     first used; in one file it would cost its source text even unevaluated.

// --- Node's built-in modules, taken as CommonJS ------------------------------------------------
// An ESM `import { x } from 'node:http'` makes Node build the module's ES facade, which reads every
// export of the built-in once, lazy getters included: `node:http`'s WebSocket / MessageEvent load
// Node's whole undici (745 KB of source, with web streams and File), `node:util`'s load
// worker_threads, parse_args, the assertion diff and web locks, `node:fs`'s fs/promises, readline and
// the REPL history. A process that never uses them pays for them all the same (measured: a script
// importing STATUS_CODES from node:http idles at 59.6 MiB RSS, 46.4 MiB with it taken by require).
// So every `node:*` / built-in import of the bundle becomes a CommonJS module that returns
// `process.getBuiltinModule(id)`: esbuild reads named imports from it as properties, at use, as it
// does for any CommonJS dependency; a lazy getter then only runs if its export is used.
const NODE_BUILTINS = new Set(builtinModules);

const builtinsAsCommonJs: Plugin = {
  name: 'node-builtins-as-commonjs',
  setup(b) {
    b.onResolve({ filter: /^[a-z_/0-9:]+$/ }, (args) => {
      const id = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      // `node:sqlite` and the like are listed with their prefix, the others without.
      const builtin = NODE_BUILTINS.has(id) || NODE_BUILTINS.has(id.slice('node:'.length));
      // Only `import` statements. `require()` is left to the banner's require, and `import()` to
      // Node: a split bundle gives a dynamic import of a CommonJS module only its `default`, so
      // `const { createRequire } = await import('node:module')` would find nothing.
      if (!builtin || args.kind !== 'import-statement') return undefined;
      return { path: id, namespace: 'node-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

// --- keepNames without a property per function: scripts/build-names.ts ---------------------------

// --- The image's allocator ----------------------------------------------------------------------
// The image has no RUN (no apt inside it), so the shared library it preloads comes from the host,
// which is Debian 12 like the base image: the same libc and libstdc++ it links against.
// PEERWEAVE_JEMALLOC names another copy (e.g. on a host of another distribution).
const JEMALLOC_CANDIDATES = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'];

function copyJemalloc(outFile: string): void {
  const from = process.env.PEERWEAVE_JEMALLOC || JEMALLOC_CANDIDATES.find((f) => existsSync(f));
  if (from === undefined || !existsSync(from)) {
    throw new Error(
      'the image preloads jemalloc and none was found on this host: bash scripts/setup.sh installs it ' +
        '(or apt-get install -y --no-install-recommends libjemalloc2, or PEERWEAVE_JEMALLOC=/path/to/libjemalloc.so.2)',
    );
  }
  cpSync(from, outFile, { dereference: true });
}

function checkAscii(file: string): void {
  const bytes = readFileSync(file);
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) {
    const context = bytes.subarray(Math.max(0, at - 40), at + 20).toString('utf8');
    throw new Error(`${relative(ROOT, file)} is not pure ASCII (V8 would keep it as two bytes per character): ...${context}...`);
  }
}

// --- Source map trimming -------------------------------------------------------------------------
// The image runs without source maps (node --enable-source-maps, or NODE_OPTIONS with it, turns
// them on; see the Dockerfile). When on, Node parses every loaded file's whole map at start: the
// full map (every dependency's mappings, ~2 MB for the peer) costs ~50 MiB RSS per process; with
// only our own sources' mappings it is ~6 MiB. Frames inside dependencies then show bundle
// positions (with function names, thanks to keepNames). PEERWEAVE_BUILD_FULL_SOURCEMAP=1 keeps
// the full map.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i] as const));

function vlqDecode(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = B64_INDEX.get(c);
    if (digit === undefined) throw new Error(`bad source map character ${JSON.stringify(c)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value % 2 === 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function vlqEncode(n: number): string {
  let value = n < 0 ? -n * 2 + 1 : n * 2;
  let out = '';
  do {
    let digit = value % 32;
    value = Math.floor(value / 32);
    if (value > 0) digit |= 32;
    out += B64[digit];
  } while (value > 0);
  return out;
}

interface SourceMapV3 {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/** Keeps the mappings of sources for which `keep` is true; the rest of the code becomes unmapped. */
function trimSourceMap(file: string, keep: (source: string) => boolean): void {
  const map = JSON.parse(readFileSync(file, 'utf8')) as SourceMapV3;
  const newIndex = map.sources.map(() => -1);
  const sources: string[] = [];
  map.sources.forEach((source, i) => {
    if (keep(source)) newIndex[i] = sources.push(source) - 1;
  });
  // Absolute values in the input, and the last values written (VLQ fields are deltas).
  let src = 0, line = 0, col = 0, name = 0;
  let outSrc = 0, outLine = 0, outCol = 0, outName = 0;
  const lines = map.mappings.split(';').map((generatedLine) => {
    let genCol = 0;
    let outGenCol = 0;
    let mapped = false; // whether the last segment written maps somewhere
    const segments: string[] = [];
    const unmapped = (): void => {
      if (mapped) segments.push(vlqEncode(genCol - outGenCol));
      outGenCol = genCol;
      mapped = false;
    };
    for (const segment of generatedLine === '' ? [] : generatedLine.split(',')) {
      const [dGenCol = 0, dSrc, dLine = 0, dCol = 0, dName] = vlqDecode(segment);
      genCol += dGenCol;
      if (dSrc === undefined) { unmapped(); continue; }
      src += dSrc; line += dLine; col += dCol;
      if (dName !== undefined) name += dName;
      const target = newIndex[src] ?? -1;
      if (target < 0) { unmapped(); continue; }
      let out = vlqEncode(genCol - outGenCol) + vlqEncode(target - outSrc) + vlqEncode(line - outLine) + vlqEncode(col - outCol);
      if (dName !== undefined) { out += vlqEncode(name - outName); outName = name; }
      outGenCol = genCol; outSrc = target; outLine = line; outCol = col;
      segments.push(out);
      mapped = true;
    }
    return segments.join(',');
  });
  writeFileSync(file, JSON.stringify({ ...map, sources, sourcesContent: undefined, mappings: lines.join(';') }));
}

/**
 * Generates the peer's OpenAPI document from the sources (the same route set the bundle serves)
 * and writes it beside the bundle. The version is set first: VERSION is read when the core lib loads.
 */
async function writeOpenApiDocument(outdir: string, version: string): Promise<void> {
  process.env.PEERWEAVE_VERSION = version;
  const { generateOpenApiDocument, OPENAPI_FILE } = await import('../apps/peer/src/openapi-document.ts');
  writeFileSync(join(outdir, OPENAPI_FILE), `${JSON.stringify(await generateOpenApiDocument())}\n`);
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const version = readJson(join(ROOT, 'package.json')).version ?? '0.0.0';

  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });

  for (const app of APPS) {
    const outdir = join(DIST, 'lib', app.name);
    const options: BuildOptions = {
      absWorkingDir: ROOT,
      entryPoints: { main: join(ROOT, app.entry) },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      splitting: true, // chunks keep the default name `chunk-[hash]`, beside main.mjs: see __dirname above
      banner: { js: BANNER }, // every chunk is a module of its own and gets it too
      define: { 'process.env.PEERWEAVE_VERSION': JSON.stringify(version) },
      sourcemap: 'linked',
      sourcesContent: false, // stack traces need the mappings only; keeps the image smaller
      keepNames: true, // error classes keep their `name` after bundling
      minifyWhitespace: true, // see "Memory of the loaded bundle"
      legalComments: 'linked',
      logLevel: 'warning',
      plugins: [builtinsAsCommonJs], // see "Node's built-in modules, taken as CommonJS"
    };
    await build(options);
    const outputs = readdirSync(outdir).filter((file) => file.endsWith('.mjs'));
    if (app.name !== 'bench') skipSameNameDefinitions(outputs.map((file) => join(outdir, file)));
    for (const file of outputs) {
      if (process.env.PEERWEAVE_BUILD_FULL_SOURCEMAP !== '1') {
        trimSourceMap(join(outdir, `${file}.map`), (source) => !source.split('/').includes('node_modules'));
      }
      checkAscii(join(outdir, file));
      // A name the bundle declares at top level that clashes with the banner is a SyntaxError at load.
      execFileSync(process.execPath, ['--check', join(outdir, file)], { stdio: 'inherit' });
    }
    if (app.healthcheck) compileHealthcheck(join(outdir, 'healthcheck'));
    if (app.jemalloc) copyJemalloc(join(outdir, 'libjemalloc.so.2'));
    if (app.openapi) await writeOpenApiDocument(outdir, version);
    if (app.livePage) cpSync(join(ROOT, 'libs/http-api/src/live-page'), join(outdir, 'live-page'), { recursive: true });
  }

  for (const [src, dest] of protoSources()) {
    if (!existsSync(src)) throw new Error(`missing protocol files: ${relative(ROOT, src)}`);
    cpSync(src, join(DIST, 'proto', dest), { recursive: true });
  }
  // Our protocol files' descriptor sets beside them: a node loads those instead of parsing the text
  // (libs/protocol/src/proto-packages.ts).
  const { writeDescriptorSets } = await import('../libs/protocol/src/proto-packages.ts');
  writeDescriptorSets(join(DIST, 'proto'), 'peerweave');

  const lines: string[] = [];
  for (const app of APPS) {
    const dir = join(DIST, 'lib', app.name);
    const files = readdirSync(dir).sort();
    // The lazy chunks are many small files: one line for them all.
    const lazy = files.filter((file) => !file.startsWith('main.') && /\.mjs(\.map)?$/.test(file));
    for (const file of files.filter((f) => !lazy.includes(f))) {
      lines.push(`  ${human(sizeOf(join(dir, file))).padStart(10)}  ${relative(ROOT, join(dir, file))}`);
    }
    if (lazy.length > 0) {
      const bytes = lazy.reduce((sum, file) => sum + sizeOf(join(dir, file)), 0);
      const chunks = lazy.filter((file) => file.endsWith('.mjs')).length;
      lines.push(`  ${human(bytes).padStart(10)}  ${relative(ROOT, dir)}/*.mjs: ${chunks} chunks loaded on first use (+ maps)`);
    }
  }
  lines.push(`  ${human(sizeOf(join(DIST, 'proto'))).padStart(10)}  dist/proto/`);
  lines.push(`  ${human(sizeOf(DIST)).padStart(10)}  dist/ total`);
  const ms = Math.round(performance.now() - started);
  console.log(`built peerweave ${version} in ${ms} ms:\n${lines.join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
