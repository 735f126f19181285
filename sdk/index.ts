/** The standalone Backups API client: usable without Pulumi. */
export * from "./schemas";
export { VpsClient } from "./client";
export { describeValue } from "./core/describe-value";
export { DEFAULT_BASE_URL, type VpsClientOptions, type VpsLogger } from "./core/options";
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
export { computeBackoffMs, isRetryableStatus, parseRetryAfterMs } from "./core/retry";
export {
  FAST_POLL_INTERVAL_MS,
  MAX_POLL_INTERVAL_MS,
  defaultPollSchedule,
  type PollSchedule,
} from "./core/poll-schedule";
