/** The standalone Backups API client: usable without Pulumi. */
export * from "./schemas";
export { VpsClient } from "./client";
export {
  DEFAULT_BASE_URL,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type VpsClientOptions,
  type VpsLogger,
} from "./core/options";
export type { RequestOptions, VpsClientStats } from "./core/call";
export {
  createAxiosTransport,
  type TransportRequest,
  type TransportResponse,
  type VpsTransport,
} from "./core/transport";
export {
  CREATE_ADOPTION_CLOCK_SKEW_MS,
  type BackupFilters,
  type CreateBackupArgs,
  type CreatedBackup,
  type WaitForBackupOptions,
} from "./resources/backups";
export type { WaitForServerActiveOptions } from "./resources/servers";
export {
  REDACTED,
  VpsAbortError,
  VpsApiError,
  VpsAuthenticationError,
  VpsBackupFailedError,
  VpsBackupNotFoundError,
  VpsBadRequestError,
  VpsConfigurationError,
  VpsConflictError,
  VpsConnectionError,
  VpsError,
  VpsInvalidArgumentError,
  VpsNotFoundError,
  VpsPermissionError,
  VpsRateLimitError,
  VpsResponseValidationError,
  VpsServerError,
  VpsTimeoutError,
  redactSecrets,
  type VpsApiErrorDetails,
  type VpsBackupWaitDetails,
  type VpsRateLimitErrorDetails,
  type VpsTimeoutErrorDetails,
  type VpsTransportErrorDetails,
} from "./errors";
export {
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  RETRY_JITTER,
  computeBackoffMs,
  isRetryableStatus,
  parseRetryAfterMs,
} from "./core/retry";
export { DEFAULT_WAIT_TIMEOUT_MS } from "./core/deadline";
export {
  FAST_POLL_INTERVAL_MS,
  FAST_POLL_PHASE_MS,
  MAX_POLL_INTERVAL_MS,
  POLL_GROWTH_FRACTION,
  defaultPollSchedule,
  type PollSchedule,
} from "./core/poll-schedule";
