import { dirname } from 'node:path';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
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
 * the same options the generated types were made with.
 */
export function loadProtocolPackage(file: string): PackageDefinition {
  return loadOnce(file, () => loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs: [resolveProtoRoot()] }));
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
