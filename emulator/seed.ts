/**
 * The emulator's starting data: the demo seed (the page's sample, moved to "now") and the
 * loader of seed files (JSON, format in the README, "Seed file").
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { BACKUP_TYPES, DescriptionSchema, IdSchema, describeIssues } from "../sdk/schemas";
import { SeededRandom } from "./seeded-random";
import {
  type EmulatorBackup,
  type EmulatorServer,
  type LifecycleOptions,
  type StateSnapshot,
  addOneMonth,
} from "./model";

/** The demo account's token, as in the page's examples. */
export const DEMO_TOKEN = "YOUR_API_TOKEN";
/** A second account's token in the demo seed, to show isolation (docs/api.md, decision 10). */
export const OTHER_ACCOUNT_TOKEN = "OTHER_ACCOUNT_TOKEN";

/** A duration such as `2d5h15m`, `90s`, `12h45m`, in that unit order. */
const AgeSchema = z
  .string()
  .regex(/^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/, {
    error: 'must look like "2d5h15m" (days, hours, minutes, seconds)',
  })
  .refine((value) => value.length > 0, { error: "must not be empty" });

const IsoTimeSchema = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" });

const SeedBackupSchema = z.strictObject({
  id: IdSchema,
  backup_type: z.enum(BACKUP_TYPES),
  status: z.string().min(1).default("completed"),
  size_mb: z.number().nonnegative().nullable().optional(),
  created_at: IsoTimeSchema.optional(),
  created_ago: AgeSchema.optional(),
  expires_at: IsoTimeSchema.nullable().optional(),
  description: DescriptionSchema.nullable().optional(),
});

const SeedServerSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1),
  disk_gb: z.number().positive().default(80),
  status: z.string().min(1).default("active"),
  backups: z.array(SeedBackupSchema).default([]),
});

const SeedAccountSchema = z.strictObject({
  id: z.string().min(1),
  token: z.string().min(1),
  servers: z.array(SeedServerSchema).default([]),
});

/** The seed file format (see README, "Seed file"). */
export const SeedDocumentSchema = z.strictObject({
  accounts: z.array(SeedAccountSchema),
});
/** A seed document as written in a seed file. */
export type SeedDocument = z.input<typeof SeedDocumentSchema>;

function parseAge(age: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(age);
  const [days, hours, minutes, seconds] = (match?.slice(1) ?? []).map((part) => Number(part ?? 0));
  return ((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

/**
 * The demo seed: the page's sample moved so that "now" is the sample's 2025-01-16T15:45:00Z
 * (when it shows backup 502 being created). Backup 501 was made 12h45m ago, 495 36h45m ago,
 * 499 2d5h15m ago, so nothing has expired and the sample's order and spacing are kept.
 */
export function demoSeed(): SeedDocument {
  const webServerBackup = (id: number, fields: Partial<z.input<typeof SeedBackupSchema>>) => ({
    id,
    backup_type: "automatic" as const,
    status: "completed",
    ...fields,
  });
  return {
    accounts: [
      {
        id: "demo-account",
        token: DEMO_TOKEN,
        servers: [
          {
            id: 12345,
            name: "web-server-01",
            disk_gb: 80,
            backups: [
              webServerBackup(501, {
                size_mb: 4523,
                created_ago: "12h45m",
                description: "Automatic daily backup",
              }),
              webServerBackup(499, {
                backup_type: "manual",
                size_mb: 4456,
                created_ago: "2d5h15m",
                expires_at: null,
                description: "Pre-update backup",
              }),
              webServerBackup(495, {
                size_mb: 4389,
                created_ago: "1d12h45m",
                description: "Automatic daily backup",
              }),
            ],
          },
          { id: 12346, name: "db-server-01", disk_gb: 160 },
        ],
      },
      {
        id: "other-account",
        token: OTHER_ACCOUNT_TOKEN,
        servers: [
          {
            id: 22222,
            name: "other-web-01",
            disk_gb: 40,
            backups: [
              webServerBackup(480, {
                size_mb: 2210,
                created_ago: "20h",
                description: "Automatic daily backup",
              }),
            ],
          },
        ],
      },
    ],
  };
}

/** Reads and validates a seed file; the error names the file and the bad fields. */
export function loadSeedFile(path: string): SeedDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read seed file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = SeedDocumentSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`Invalid seed file ${path}: ${describeIssues(parsed.error)}`);
  return raw as SeedDocument;
}

/**
 * Turns a seed document into the emulator's state at `now` (virtual ms). Seeded backups that
 * are `in_progress` start their lifecycle now; completed ones without `size_mb` get one.
 */
export function snapshotFromSeed(
  seed: SeedDocument,
  now: number,
  options: LifecycleOptions,
  randomSeed: number,
): StateSnapshot {
  const parsed = SeedDocumentSchema.safeParse(seed);
  if (!parsed.success) throw new Error(`Invalid seed: ${describeIssues(parsed.error)}`);
  const document = parsed.data;
  const random = new SeededRandom(randomSeed);
  const servers: EmulatorServer[] = [];
  const backups: EmulatorBackup[] = [];
  const tokens = new Set<string>();
  const accountIds = new Set<string>();
  for (const account of document.accounts) {
    if (tokens.has(account.token)) throw new Error(`Invalid seed: two accounts share a token`);
    if (accountIds.has(account.id))
      throw new Error(`Invalid seed: account ${account.id} appears twice`);
    tokens.add(account.token);
    accountIds.add(account.id);
    for (const server of account.servers) {
      if (servers.some((s) => s.id === server.id)) {
        throw new Error(`Invalid seed: server ${server.id} appears twice`);
      }
      servers.push({
        id: server.id,
        accountId: account.id,
        name: server.name,
        diskGb: server.disk_gb,
        baseStatus: server.status,
        restoringUntil: null,
        nextAutomaticBackupAt: null,
      });
      for (const backup of server.backups) {
        if (backups.some((b) => b.id === backup.id)) {
          throw new Error(`Invalid seed: backup ${backup.id} appears twice`);
        }
        const createdAt =
          backup.created_at !== undefined
            ? Date.parse(backup.created_at)
            : now - parseAge(backup.created_ago ?? "0s");
        const expiresAt =
          backup.expires_at !== undefined
            ? backup.expires_at === null
              ? null
              : Date.parse(backup.expires_at)
            : backup.backup_type === "automatic"
              ? addOneMonth(createdAt)
              : null;
        const plannedSizeMb = Math.round(
          server.disk_gb * 1024 * 0.055 * (0.97 + 0.06 * random.next()),
        );
        const running = backup.status === "in_progress";
        const duration =
          (options.backupBaseMs + options.backupPerGbMs * server.disk_gb) * options.timeScale;
        backups.push({
          id: backup.id,
          serverId: server.id,
          backupType: backup.backup_type,
          status: backup.status,
          sizeMb:
            backup.size_mb !== undefined
              ? backup.size_mb
              : backup.status === "completed"
                ? plannedSizeMb
                : null,
          createdAt,
          expiresAt,
          description: backup.description ?? null,
          finishesAt: running ? now + duration : null,
          plannedOutcome: "completed",
          plannedSizeMb: backup.size_mb ?? plannedSizeMb,
        });
      }
    }
  }
  const maxBackupId = backups.reduce((max, b) => Math.max(max, b.id), 0);
  const maxServerId = servers.reduce((max, s) => Math.max(max, s.id), 0);
  return {
    version: 1,
    clockOffsetMs: 0,
    nextBackupId: maxBackupId + 1,
    nextServerId: Math.max(maxServerId + 1, 30000),
    randomPosition: random.position,
    accounts: document.accounts.map((a) => ({ id: a.id, token: a.token })),
    servers,
    backups,
    nextBackupOverrides: {},
  };
}
