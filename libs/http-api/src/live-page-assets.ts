import { readFile } from 'node:fs/promises';

/**
 * Where the live page's files are: `live-page/` beside this module. Running from source that is
 * libs/http-api/src/live-page/; in the bundle, `import.meta.url` is the bundle's own file, and
 * scripts/build.ts copies the folder to dist/lib/peer/live-page/ beside it.
 */
export const LIVE_PAGE_DIR = new URL('./live-page/', import.meta.url);

export interface LivePageAsset {
  /** File name inside the live page's folder. */
  readonly file: string;
  readonly contentType: string;
}

/** Every file of the page by the path it is served at; nothing else under the folder is served. */
export const LIVE_PAGE_ASSETS: Readonly<Record<string, LivePageAsset>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/live/live.js': { file: 'live.js', contentType: 'text/javascript; charset=utf-8' },
  '/live/live-model.js': { file: 'live-model.js', contentType: 'text/javascript; charset=utf-8' },
  '/live/live.css': { file: 'live.css', contentType: 'text/css; charset=utf-8' },
};

/**
 * The page's policy: its own scripts, styles and JSON only, images from itself or `data:` (the
 * empty favicon), never framed, no `<base>`, no form posts. No inline script or style is allowed,
 * so an injected string could not run even if it reached the DOM as markup.
 */
export const LIVE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Read at every request, like the built OpenAPI document: the page is rare, memory is not. */
export function readLivePageAsset(asset: LivePageAsset, dir: URL = LIVE_PAGE_DIR): Promise<Buffer> {
  return readFile(new URL(asset.file, dir));
}
