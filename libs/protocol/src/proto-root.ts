import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, PeerweaveError } from '@peerweave/core';

/** The file whose presence marks a directory as our proto root. */
export const PROTO_ROOT_MARKER = 'peerweave/node/v1/node.proto';

/** Environment variable that overrides where the protocol files are. */
export const PROTO_DIR_ENV = 'PEERWEAVE_PROTO_DIR';

export interface ResolveProtoRootOptions {
  env?: NodeJS.ProcessEnv;
  /** URL of the module doing the resolving; defaults to this file (in the bundle, the bundle file). */
  moduleUrl?: string | URL;
}

/**
 * The directory holding `peerweave/...` protocol files, loaded at run time by proto-loader:
 * 1. `$PEERWEAVE_PROTO_DIR` if set (an error if it lacks our files: a wrong override must not be
 *    silently replaced by another copy);
 * 2. `/app/proto` when running from the bundle `/app/lib/peer/main.mjs`. The bundle sits two levels
 *    below the app root because grpc-health-check and @grpc/reflection load
 *    `${__dirname}/../../proto/...`, and ours follows the same layout;
 * 3. `<repo>/proto` when running from source (`libs/protocol/src/proto-root.ts`).
 * The bundle's own copy comes first: a bundle at `<repo>/dist/lib/peer/main.mjs` (bench/local-peers)
 * would otherwise find `<repo>/proto`, without the descriptor sets the build writes beside its copy
 * (proto-packages.ts), and run unlike the image.
 */
export function resolveProtoRoot(options: ResolveProtoRootOptions = {}): string {
  const env = options.env ?? process.env;
  const moduleUrl = options.moduleUrl ?? import.meta.url;
  const override = env[PROTO_DIR_ENV];
  if (override !== undefined && override !== '') {
    if (hasMarker(override)) return override;
    throw new ConfigError(
      `${PROTO_DIR_ENV}=${override} does not contain ${PROTO_ROOT_MARKER}; it must be the directory holding the peerweave protocol files`,
    );
  }
  const candidates = [
    fileURLToPath(new URL('../../proto', moduleUrl)), // bundle: /app/lib/peer/main.mjs
    fileURLToPath(new URL('../../../proto', moduleUrl)), // source: libs/protocol/src/x.ts
  ];
  for (const dir of candidates) {
    if (hasMarker(dir)) return dir;
  }
  throw new PeerweaveError(
    'FAILED_PRECONDITION',
    `protocol files not found: no ${PROTO_ROOT_MARKER} under ${candidates.join(' or ')}; set ${PROTO_DIR_ENV}`,
  );
}

function hasMarker(dir: string): boolean {
  return existsSync(`${dir.replace(/\/$/, '')}/${PROTO_ROOT_MARKER}`);
}
