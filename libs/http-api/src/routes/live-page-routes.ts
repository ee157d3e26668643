import type { FastifyPluginAsync } from 'fastify';
import { LIVE_PAGE_ASSETS, LIVE_PAGE_CSP, LIVE_PAGE_DIR, readLivePageAsset } from '../live-page-assets.ts';

export interface LivePageRoutesInit {
  /** Folder of the page's files; default {@link LIVE_PAGE_DIR}. */
  dir?: URL;
}

/**
 * `GET /`: the live page of this node (contacts, XOR space, objects, search, rates), plain HTML
 * with its script and style under `/live/`. The page reads the node's own JSON routes and
 * `/metrics`; nothing is fetched from anywhere else. Not part of the API, so not in the OpenAPI
 * document.
 */
export function livePageRoutes(init: LivePageRoutesInit = {}): FastifyPluginAsync {
  const dir = init.dir ?? LIVE_PAGE_DIR;
  return async (app) => {
    for (const [path, asset] of Object.entries(LIVE_PAGE_ASSETS)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) => {
        const body = await readLivePageAsset(asset, dir);
        return reply
          .type(asset.contentType)
          .header('content-security-policy', LIVE_PAGE_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          // Revalidated on every load, so a node upgraded in place serves its new page at once.
          .header('cache-control', 'no-cache')
          .send(body);
      });
    }
  };
}
