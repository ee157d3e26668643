/**
 * The product version. Bundles replace `process.env.PEERWEAVE_VERSION` at build time (esbuild
 * `define`); running from source reports the workspace version.
 */
export const VERSION: string = process.env.PEERWEAVE_VERSION ?? '0.1.0-dev';
