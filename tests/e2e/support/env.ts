// Testcontainers settings for a machine without a registry (see docs/TESTING.md): the reaper
// image cannot be pulled, and the host-detection helper would try to pull alpine.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

/** The image the suite tests: the one `scripts/setup.sh` builds from this checkout. */
export const IMAGE = process.env.PEERWEAVE_IMAGE ?? 'peerweave:latest';
export const HTTP_PORT = 8080;
export const GRPC_PORT = 7400;
