// Public API of transfer: the swarming download core (many providers at once, per-peer windows,
// failover, bans, end game), independent of the network. The decisions it takes (window, provider
// choice, scheduling, penalties) are pure functions inside the lib, tested beside their files.
export {
  Swarm,
  DEFAULT_BAN_AFTER,
  DEFAULT_BAN_MS,
  DEFAULT_END_GAME_THRESHOLD,
  DEFAULT_INITIAL_WINDOW,
  DEFAULT_MAX_BUFFERED_BLOCKS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_WINDOW,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_BACKOFF_MS,
  type SwarmInit,
  type SwarmStats,
} from './swarm.ts';
export type { BlockSource, SwarmBlock, WantedBlock } from './block-source.ts';
export type { PeerStats } from './peer-record.ts';
