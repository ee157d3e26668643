// Public API of transfer: the swarming download core (many providers at once, per-peer windows,
// failover, bans, end game), independent of the network.
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
export { nextWindow, ewma, type WindowEvent } from './window.ts';
export { chooseProvider, type ProviderView } from './choose-provider.ts';
export { nextBlocksToSchedule, isEndGame, type BlockView, type ScheduleWindow } from './next-blocks.ts';
export { recordOffence, isBanned, coolOffMs, retryBackoffMs, MAX_COOL_OFF_MS, type BanState, type BanRules } from './penalty.ts';
