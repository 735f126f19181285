/**
 * The Backups API contract, written once (docs/api.md).
 *
 * The client parses every response with these schemas; the emulator validates every request
 * and shapes every reply with the same ones. Response schemas are loose (unknown fields pass,
 * unknown status strings pass) because the real platform may add to them; request schemas are
 * strict about the fields they know, and ignore the rest as the platform does (docs/api.md, decision 8).
 */
import { z } from "zod";

/** Largest id we accept: beyond it JavaScript numbers stop being exact. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;
/** Longest description the platform accepts (docs/api.md, decision 8). */
export const MAX_DESCRIPTION_LENGTH = 255;
/** Page size the platform uses when none is asked for (docs/api.md, decision 2). */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest `page_size` the platform allows (docs/api.md, decision 2). */
export const MAX_PAGE_SIZE = 500;

/** A server or backup id: a positive whole number (never a string, never a float). */
export const IdSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .positive({ error: "must be a positive number" })
  .max(MAX_ID, { error: `must be at most ${MAX_ID}` });

/** Backup statuses the platform documents. Others may appear and mean "not finished". */
export const KNOWN_BACKUP_STATUSES = ["in_progress", "completed", "failed"] as const;
/** A backup status the platform documents. */
export type KnownBackupStatus = (typeof KNOWN_BACKUP_STATUSES)[number];
/** A backup status: one of the known ones, or any other string the platform may add. */
export type BackupStatus = KnownBackupStatus | (string & {});

/** Backup types as they appear in bodies (docs/api.md, decision 5: lowercase). */
export const BACKUP_TYPES = ["manual", "automatic"] as const;
/** A backup type: `manual` or `automatic`. */
export type BackupType = (typeof BACKUP_TYPES)[number];

/** `^(?:[Mm][Aa][Nn][Uu][Aa][Ll]|…)$`: the words in any case, as a JSON Schema pattern can say it. */
function anyCasePattern(words: readonly string[]): RegExp {
  const anyCase = (word: string) =>
    [...word].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join("");
  return new RegExp(`^(?:${words.map(anyCase).join("|")})$`);
}

const BACKUP_TYPE_FILTER_ERROR = 'must be "manual" or "automatic" (any case)';
/**
 * A `backup_type` filter value: matched case-insensitively (docs/api.md, decision 3). The
 * pattern says so in the OpenAPI document; the enum after it gives the lowercase type.
 */
export const BackupTypeFilterSchema = z
  .string({ error: "must be a string" })
  .regex(anyCasePattern(BACKUP_TYPES), { error: BACKUP_TYPE_FILTER_ERROR })
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(BACKUP_TYPES, { error: BACKUP_TYPE_FILTER_ERROR }));

/** Server statuses the platform documents (docs/api.md, decision 14). */
export const KNOWN_SERVER_STATUSES = ["active", "restoring", "backing_up", "off"] as const;
/** A server status: one of the documented ones, or any other string the platform may add. */
export type ServerStatus = (typeof KNOWN_SERVER_STATUSES)[number] | (string & {});

/**
 * Length of a description as the platform counts it: Unicode characters (code points, as
 * Django's max_length does), not UTF-16 units, so "🦄" is one character, not two.
 */
export function descriptionLength(text: string): number {
  let count = 0;
  for (const _character of text) count += 1;
  return count;
}

/** Optional free text attached to a backup. */
export const DescriptionSchema = z
  .string({ error: "must be a string" })
  .refine((text) => descriptionLength(text) <= MAX_DESCRIPTION_LENGTH, {
    error: `must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
  })
  // A refine is invisible to JSON Schema; maxLength counts code points too, so it says the same.
  .meta({
    description: `Free text about the backup, at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    maxLength: MAX_DESCRIPTION_LENGTH,
  });

// ---------------------------------------------------------------------------------------------
// Requests (wire format, snake_case)
// ---------------------------------------------------------------------------------------------

/** Body of `POST /backups/`. Unknown fields are dropped, as the platform ignores them. */
export const CreateBackupRequestSchema = z.object({
  server_id: IdSchema.describe("The server to back up."),
  description: DescriptionSchema.optional(),
});
/** Body of `POST /backups/`, as the emulator reads it. */
export type CreateBackupRequest = z.infer<typeof CreateBackupRequestSchema>;

/** Body of `POST /servers/{id}/restore/`. */
export const RestoreServerRequestSchema = z.object({
  backup_id: IdSchema.describe("The completed backup of this server to restore from."),
});
/** Body of `POST /servers/{id}/restore/`. */
export type RestoreServerRequest = z.infer<typeof RestoreServerRequestSchema>;

/** Paging query parameters shared by every list endpoint (docs/api.md, decision 2). */
export const PageQuerySchema = z.object({
  page: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .positive({ error: "must be a positive number" })
    .max(MAX_ID)
    .describe("The page to return, from 1; past the last page is a 404.")
    .optional(),
  page_size: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .positive({ error: "must be a positive number" })
    .max(MAX_PAGE_SIZE, { error: `must be at most ${MAX_PAGE_SIZE}` })
    .describe(`Items per page: ${DEFAULT_PAGE_SIZE} unless asked, at most ${MAX_PAGE_SIZE}.`)
    .optional(),
});

/**
 * Query of `GET /backups/`. Query strings carry text, so ids are accepted as decimal digits
 * only: "12345" passes, "12.5", "-1" and "abc" are a 400 (docs/api.md, decision 3).
 */
export const ListBackupsQuerySchema = PageQuerySchema.extend({
  server_id: z
    .string()
    .regex(/^[0-9]+$/, { error: "must be a positive integer" })
    .transform(Number)
    .pipe(IdSchema)
    .describe("Only the backups of this server (none when the account has no such server).")
    .optional(),
  backup_type: BackupTypeFilterSchema.describe(
    "Only backups of this type: `manual` or `automatic`, in any case.",
  ).optional(),
});
/** The parsed query of `GET /backups/`. */
export type ListBackupsQuery = z.infer<typeof ListBackupsQuerySchema>;

/** A path parameter that must be a positive integer id (`/backups/{id}/`, `/servers/{id}/`). */
export const PathIdSchema = z
  .string()
  .regex(/^[0-9]+$/, { error: "must be a positive integer" })
  .transform(Number)
  .pipe(IdSchema);

// ---------------------------------------------------------------------------------------------
// Responses (wire format, loose)
// ---------------------------------------------------------------------------------------------

/** The server a backup belongs to, as embedded in a backup. */
export const ApiServerRefSchema = z
  .looseObject({
    id: IdSchema.describe("The server's id."),
    name: z.string().describe("The server's name."),
  })
  .describe("The server the backup belongs to.");

/** One backup as the platform returns it. */
export const ApiBackupSchema = z.looseObject({
  id: IdSchema.describe("The backup's id."),
  server: ApiServerRefSchema,
  backup_type: z
    .string()
    .describe("`manual` or `automatic`.")
    .transform((value) => value.toLowerCase()),
  status: z
    .string()
    .describe("`in_progress`, then `completed` or `failed`; any other value means not finished."),
  size_mb: z.number().nonnegative().nullable().describe("Size in MiB; null until completed."),
  created_at: z.string().describe("Creation time, ISO 8601 UTC."),
  expires_at: z
    .string()
    .nullable()
    .describe("When an automatic backup expires, ISO 8601 UTC; null for manual backups."),
  description: z.string().nullable().optional().describe("The free text given, or null."),
});
/** One backup on the wire (snake_case). */
export type ApiBackup = z.infer<typeof ApiBackupSchema>;

/** The 201 body of `POST /backups/`: the new backup plus a human message. */
export const ApiCreatedBackupSchema = ApiBackupSchema.extend({
  message: z.string().optional().describe("What happens next, for people."),
});
/** The 201 body of `POST /backups/` on the wire. */
export type ApiCreatedBackup = z.infer<typeof ApiCreatedBackupSchema>;

/** A server (docs/api.md, decision 14). */
export const ApiServerSchema = z.looseObject({
  id: IdSchema.describe("The server's id."),
  name: z.string().describe("The server's name."),
  status: z
    .string()
    .describe("`active`, `restoring`, `backing_up` (while a backup runs) or `off`; or another."),
  disk_gb: z.number().nonnegative().describe("Disk size in GB."),
});
/** One server on the wire. */
export type ApiServer = z.infer<typeof ApiServerSchema>;

/** The 202 body of `POST /servers/{id}/restore/` (docs/api.md, decision 13). */
export const ApiRestoreResponseSchema = z.looseObject({
  message: z.string().optional().describe("What happens next, for people."),
  server_id: IdSchema.describe("The server being restored."),
  backup_id: IdSchema.describe("The backup it is restored from."),
  status: z.string().describe("`restoring` once the restore has started."),
});
/** The 202 body of `POST /servers/{id}/restore/` on the wire. */
export type ApiRestoreResponse = z.infer<typeof ApiRestoreResponseSchema>;

/**
 * A page of a list (docs/api.md, decision 2). `next`/`previous` may be absent on platforms that do not
 * page; `count` is the total across pages.
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    count: z.number().int().nonnegative().describe("How many items there are across all pages."),
    next: z.string().nullable().optional().describe("Absolute URL of the next page, or null."),
    previous: z
      .string()
      .nullable()
      .optional()
      .describe("Absolute URL of the previous page, or null."),
    results: z.array(item).describe("This page's items, newest first."),
  });
}
/** A page of `GET /backups/` on the wire. */
export const ApiBackupPageSchema = pageSchema(ApiBackupSchema);
/** A page of backups on the wire. */
export type ApiBackupPage = z.infer<typeof ApiBackupPageSchema>;
/** A page of `GET /servers/` on the wire. */
export const ApiServerPageSchema = pageSchema(ApiServerSchema);
/** A page of servers on the wire. */
export type ApiServerPage = z.infer<typeof ApiServerPageSchema>;

/** DRF error body for 401/403/404/405/409/429 (docs/api.md, decision 9). */
export const ApiDetailErrorSchema = z.looseObject({
  detail: z.string().describe("What went wrong, for people."),
});
/** DRF field errors for 400: `{"server_id": ["…"]}` (docs/api.md, decision 9). */
export const ApiFieldErrorsSchema = z
  .record(z.string(), z.array(z.string()))
  .describe("Field name (or `non_field_errors`) → reasons.");
/** DRF field errors: field name → reasons. */
export type ApiFieldErrors = z.infer<typeof ApiFieldErrorsSchema>;

// ---------------------------------------------------------------------------------------------
// Client-facing shapes (camelCase) and their mapping from the wire
// ---------------------------------------------------------------------------------------------

/** A backup, as the client returns it. */
export interface Backup {
  /** The backup's id. */
  id: number;
  /** The id of the server it belongs to. */
  serverId: number;
  /** The server's name at the time of the read. */
  serverName: string;
  /** `manual` or `automatic` (other values pass through lowercased). */
  backupType: BackupType | (string & {});
  /** `in_progress`, `completed`, `failed`, or a status the platform added later. */
  status: BackupStatus;
  /** Size in MiB once completed; null while in progress. */
  sizeMb: number | null;
  /** ISO 8601 UTC creation time. */
  createdAt: string;
  /** ISO 8601 UTC expiry time; null for manual backups, which never expire. */
  expiresAt: string | null;
  /** Free text; null when none was given. */
  description: string | null;
}

/** A server, as the client returns it. */
export interface Server {
  id: number;
  name: string;
  status: ServerStatus;
  /** Disk size in GB. */
  diskGb: number;
}

/** The platform's answer to a restore request. */
export interface RestoreResult {
  serverId: number;
  backupId: number;
  /** `restoring` when the restore has started. */
  status: string;
  message: string | null;
}

/** Maps a wire backup to the client's camelCase shape. */
export function toBackup(wire: ApiBackup): Backup {
  return {
    id: wire.id,
    serverId: wire.server.id,
    serverName: wire.server.name,
    backupType: wire.backup_type,
    status: wire.status,
    sizeMb: wire.size_mb,
    createdAt: wire.created_at,
    expiresAt: wire.expires_at,
    description: wire.description ?? null,
  };
}

/** Maps a wire server to the client's camelCase shape. */
function toServer(wire: ApiServer): Server {
  return { id: wire.id, name: wire.name, status: wire.status, diskGb: wire.disk_gb };
}

/** Maps a wire restore answer to the client's camelCase shape. */
function toRestoreResult(wire: ApiRestoreResponse): RestoreResult {
  return {
    serverId: wire.server_id,
    backupId: wire.backup_id,
    status: wire.status,
    message: wire.message ?? null,
  };
}

/** A backup parsed from the wire into the client's shape. */
const BackupSchema = ApiBackupSchema.transform(toBackup);
/** The 201 body of `POST /backups/` parsed into the client's shape, with the platform's message. */
export const CreatedBackupSchema = ApiCreatedBackupSchema.transform((wire) => ({
  ...toBackup(wire),
  message: wire.message ?? null,
}));
/** A server parsed from the wire into the client's shape. */
export const ServerSchema = ApiServerSchema.transform(toServer);
/** The 202 body of `POST /servers/{id}/restore/` parsed into the client's shape. */
export const RestoreResultSchema = ApiRestoreResponseSchema.transform(toRestoreResult);
/** A page of backups, its items in the client's shape. */
export const BackupPageSchema = pageSchema(BackupSchema);
/** A page of servers, its items in the client's shape. */
export const ServerPageSchema = pageSchema(ServerSchema);

/** Formats zod issues as "field: reason; field: reason" for error messages. */
export function describeIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
