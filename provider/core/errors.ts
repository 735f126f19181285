/**
 * Errors of the resources and functions, in the sdk's one hierarchy (`VpsError`).
 */
import { VpsAuthenticationError, VpsError } from "../../sdk";

/**
 * A create or update that failed AFTER the platform object existed (a backup that failed or
 * did not finish in time, a wait that was interrupted, a restore still running at the
 * deadline). Pulumi's dynamic provider host sees `id` on the error and records a *partially
 * created* resource with `properties` as its outputs, so the object is tracked instead of
 * orphaned, and `reasons` are shown as its initialization errors.
 */
export class ResourceInitializationError extends VpsError {
  /** The id of the object that exists (a backup id, a restore id), as the engine wants it. */
  declare readonly id: string;
  /** Short reasons shown by the engine; the first is the message. */
  declare readonly reasons: string[];
  /**
   * The resource outputs so far. Non-enumerable: they may hold a per-resource `apiToken` the
   * engine must keep (encrypted) for the later delete, and no log or `JSON.stringify` of the
   * error may show it.
   */
  declare readonly properties: Record<string, unknown>;

  constructor(message: string, details: { id: string; properties: Record<string, unknown> }) {
    super(message, { id: details.id, reasons: [message] });
    Object.defineProperty(this, "properties", { value: details.properties, enumerable: false });
  }
}

/** `getBackup` found no backup, or several without `mostRecent`. */
export class BackupMatchError extends VpsError {
  /** How many backups matched the filters. */
  declare readonly matchCount: number;
  constructor(message: string, details: { matchCount: number }) {
    super(message, details);
  }
}

/**
 * What a rejected token means during a refresh or destroy: the engine configures the provider
 * from the stack config recorded at the last `pulumi up`, so a token rotated (or a URL moved)
 * since then is not used unless the program runs.
 */
export const RECORDED_CREDENTIALS_HINT =
  "pulumi refresh and pulumi destroy use the provider configuration recorded at the last `pulumi up`: " +
  "after rotating the token or moving the URL, run one `pulumi up` first, or pass `--run-program`";

/**
 * Adds {@link RECORDED_CREDENTIALS_HINT} to a 401 of a read or delete (keeping its class and
 * details) and returns the error, for `throw withRecordedCredentialsHint(error)`.
 */
export function withRecordedCredentialsHint(error: unknown): unknown {
  if (
    error instanceof VpsAuthenticationError &&
    !error.message.includes(RECORDED_CREDENTIALS_HINT)
  ) {
    error.message = `${error.message}; ${RECORDED_CREDENTIALS_HINT}`;
  }
  return error;
}
