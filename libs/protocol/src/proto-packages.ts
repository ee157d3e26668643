import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadFileDescriptorSetFromBuffer, loadSync, type MessageTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS } from './loader-options.ts';
import { resolveProtoRoot } from './proto-root.ts';

const loaded = new Map<string, PackageDefinition>();

function loadOnce(key: string, load: () => PackageDefinition): PackageDefinition {
  let definition = loaded.get(key);
  if (definition === undefined) {
    definition = load();
    loaded.set(key, definition);
  }
  return definition;
}

/**
 * One of our protocol files (`peerweave/node/v1/node.proto`), loaded once from the proto root with
 * the same options the generated types were made with: from its descriptor set
 * (`<file>.pb`, {@link writeDescriptorSets}) when one at least as new as the file is beside it,
 * otherwise by parsing the `.proto` text.
 */
export function loadProtocolPackage(file: string): PackageDefinition {
  return loadOnce(file, () => loadProtocolFile(resolveProtoRoot(), file));
}

/** {@link loadProtocolPackage} from the proto root `root`, not cached. */
export function loadProtocolFile(root: string, file: string): PackageDefinition {
  const set = descriptorSetPath(root, file);
  if (existsSync(set) && statSync(set).mtimeMs >= statSync(join(root, file)).mtimeMs) {
    return loadFileDescriptorSetFromBuffer(readFileSync(set), PROTO_LOADER_OPTIONS);
  }
  return parseProtocolFile(root, file);
}

function parseProtocolFile(root: string, file: string): PackageDefinition {
  return loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs: [root] });
}

/** Where the descriptor set of `file` (relative to the proto root `root`) is kept. */
export function descriptorSetPath(root: string, file: string): string {
  return join(root, `${file}.pb`);
}

// A node loaded its four protocol files by parsing their text (30 KB with comments) at start, and
// protobufjs's tokenizer ran hot enough for V8 to optimise it with TurboFan: one TurboFan compilation
// makes several MiB of the Node binary's optimising-compiler code resident (issue #12, README
// "Where an idle node's memory goes"). The build parses them once instead and writes, beside each,
// the FileDescriptorSet proto-loader made of it (the file and its imports, as reflection serves
// them); loading that gives the same package definition without the tokenizer
// (proto-packages.spec.ts compares the two).

/**
 * Writes `<file>.pb` beside every `.proto` file under `<root>/<dir>`: the descriptor set of the
 * file as {@link loadProtocolPackage} would parse it. Run by scripts/build.ts on dist/proto.
 * The files written, relative to `root`.
 */
export function writeDescriptorSets(root: string, dir: string): string[] {
  const written: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.proto')) {
        const file = relative(root, path);
        writeFileSync(descriptorSetPath(root, file), descriptorSet(parseProtocolFile(root, file)));
        written.push(file);
      }
    }
  };
  walk(join(root, dir));
  return written;
}

/** The FileDescriptorSet (field 1: each FileDescriptorProto) of a loaded package definition. */
function descriptorSet(definition: PackageDefinition): Buffer {
  const message = Object.values(definition).find((d): d is MessageTypeDefinition<object, object> => 'format' in d && 'fileDescriptorProtos' in d);
  if (message === undefined) throw new Error('a protocol file without messages');
  return Buffer.concat(message.fileDescriptorProtos.flatMap((file) => [Buffer.from([0x0a]), varint(file.length), file]));
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  for (; n > 0x7f; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
  bytes.push(n);
  return Buffer.from(bytes);
}

/**
 * The standard health protocol, from the file grpc-health-check ships (in the bundle:
 * `/app/proto/health/v1/health.proto`). Loaded by its path relative to that proto dir so that
 * reflection names it `health/v1/health.proto`, not by an absolute path.
 */
export function healthPackageDefinition(): PackageDefinition {
  const root = dirname(dirname(dirname(healthProtoPath)));
  return loadOnce('health/v1/health.proto', () =>
    loadSync('health/v1/health.proto', { ...PROTO_LOADER_OPTIONS, includeDirs: [root] }),
  );
}
