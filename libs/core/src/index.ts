// Public API of core: the contracts every lib shares (Clock, Startable, errors with codes, signals,
// config loading, ids, limits, Logger and Metrics). What only specs need is in @peerweave/core/testing.
export {
  isPeerweaveError,
  errorCode,
  ERROR_CODES,
  type ErrorCode,
  type PeerweaveErrorOptions,
  PeerweaveError,
  InvalidArgumentError,
  ConfigError,
  NotFoundError,
  PayloadTooLargeError,
  UnavailableError,
  DeadlineExceededError,
  AbortError,
  ResourceExhaustedError,
  NotReadyError,
  ShuttingDownError,
  InternalError,
  InvalidCidError,
  CorruptBlockError,
  InsufficientReplicasError,
  RangeNotSatisfiableError,
  NotAcceptableError,
  InvalidQueryError,
} from './errors.ts';
export { type TimerHandle, type Clock, systemClock } from './clock.ts';
export { ManualClock } from './manual-clock.ts';
export { startAll, stopAll, type Startable, StartableGroup } from './startable.ts';
export { lateBound, type LateBinding } from './late-binding.ts';
export { withDeadline, throwIfAborted, toAbortError, raceSignal, type AbortOptions, type DeadlineSignal } from './signals.ts';
export { parseList, loadConfig, loadPreset, presetDefault, configTable, type Preset, type ConfigSpec, type ConfigOf } from './config.ts';
export { ROLES, type Role } from './role.ts';
export { MAX_CID_LENGTH, MAX_KEYWORDS, MAX_KEYWORD_LENGTH, MAX_ADDRESS_LENGTH } from './limits.ts';
export { ID_BYTES, NodeId } from './ids.ts';
export { VERSION } from './version.ts';
export {
  API_SCOPES,
  type ApiScope,
  type ApiTokenEntry,
  API_TOKEN_PATTERN,
  API_TOKEN_SHA256_PATTERN,
  createApiToken,
  apiTokenSha256,
  scopeGrants,
  isApiScope,
} from './api-token.ts';
export { type LogFn, type Logger, silentLogger, LOG_LEVELS, type LogLevel } from './logger.ts';
export {
  type Labels,
  type MetricOptions,
  type HistogramOptions,
  type Counter,
  type Gauge,
  type Histogram,
  type Metrics,
  METRIC_NAME,
  noopMetrics,
} from './metrics.ts';
export { shuffle, type Random, systemRandom, SeededRandom } from './random.ts';
export type { ObjectRecord, Tombstone, RangeDigest, ProviderRecord } from './records.ts';
export { releasableChunk, releaseChunk, markOwnBuffer, hasOwnBuffer, freeBuffer } from './chunk-release.ts';
