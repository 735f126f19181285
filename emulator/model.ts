/**
 * The emulator's data model: accounts, their servers and backups as stored (and persisted), the
 * lifecycle settings, and the small helpers and errors the rest of the emulator shares.
 */
import type { BackupType } from "../sdk/schemas";

/** One account: the owner of a token and of servers (docs/api.md, decision 10). */
export interface EmulatorAccount {
  /** Public id used in the inventory (the token is never shown there). */
  id: string;
  /** The API token that authenticates as this account. */
  token: string;
}

/** One server as the emulator stores it. */
export interface EmulatorServer {
  id: number;
  accountId: string;
  name: string;
  /** Disk size in GB: drives backup durations and sizes. */
  diskGb: number;
  /** Status when nothing runs on it: `active` or `off` (or any string a seed sets). */
  baseStatus: string;
  /** Virtual time (ms since epoch) the running restore ends; null when none runs. */
  restoringUntil: number | null;
  /** Virtual time of the next automatic backup; null when automatic backups are off. */
  nextAutomaticBackupAt: number | null;
}

/** One backup as the emulator stores it. Times are virtual ms since the epoch. */
export interface EmulatorBackup {
  id: number;
  serverId: number;
  backupType: BackupType;
  /** `in_progress`, `completed`, `failed`, or any string set through the control endpoint. */
  status: string;
  sizeMb: number | null;
  createdAt: number;
  expiresAt: number | null;
  description: string | null;
  /** When an in-progress backup settles; null while stuck (or once settled). */
  finishesAt: number | null;
  /** What it settles into. */
  plannedOutcome: "completed" | "failed";
  /** The size it gets if it completes. */
  plannedSizeMb: number;
}

/** How the next backup of a server behaves, overriding the configured lifecycle (tests). */
export interface NextBackupOverride {
  /** `completed`, `failed`, or `stuck` (stays in progress until changed). Default: as configured. */
  outcome?: "completed" | "failed" | "stuck";
  /** Real milliseconds it takes, before the time scale is applied. Default: computed from disk size. */
  durationMs?: number;
}

/** Everything the emulator persists, in one JSON-serialisable value. */
export interface StateSnapshot {
  version: 1;
  clockOffsetMs: number;
  nextBackupId: number;
  nextServerId: number;
  randomPosition: number;
  accounts: EmulatorAccount[];
  servers: EmulatorServer[];
  backups: EmulatorBackup[];
  nextBackupOverrides: Record<string, NextBackupOverride[]>;
}

/** Lifecycle settings. Durations are real milliseconds before `timeScale` is applied. */
export interface LifecycleOptions {
  /** Multiplies every backup and restore duration (0.001 makes a 6 s backup take 6 ms). Default 1. */
  timeScale: number;
  /** Fixed part of a backup's duration, ms. Default 2000. */
  backupBaseMs: number;
  /** Part of a backup's duration per GB of disk, ms. Default 50 (an 80 GB disk: 6 s in all). */
  backupPerGbMs: number;
  /** Fixed part of a restore's duration, ms. Default 3000. */
  restoreBaseMs: number;
  /** Part of a restore's duration per GB of disk, ms. Default 50. */
  restorePerGbMs: number;
  /** Fraction (0–1) of backups that end `failed`. Default 0. */
  failureRate: number;
  /** Virtual ms between automatic backups of each server; 0 turns them off. Default one day. */
  autoBackupIntervalMs: number;
  /** Most automatic backups made per server in one catch-up after a clock jump. Default 100. */
  maxAutomaticBackupsPerCatchUp: number;
}

/** Defaults of {@link LifecycleOptions}. */
export const DEFAULT_LIFECYCLE_OPTIONS: LifecycleOptions = {
  timeScale: 1,
  backupBaseMs: 2000,
  backupPerGbMs: 50,
  restoreBaseMs: 3000,
  restorePerGbMs: 50,
  failureRate: 0,
  autoBackupIntervalMs: 24 * 60 * 60 * 1000,
  maxAutomaticBackupsPerCatchUp: 100,
};

/** The description the platform gives its automatic backups (from the page's sample). */
export const AUTOMATIC_BACKUP_DESCRIPTION = "Automatic daily backup";

/** The moment one calendar month after `ms` (UTC), clamped to the month's last day. */
export function addOneMonth(ms: number): number {
  const date = new Date(ms);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

/** ISO 8601 UTC at second precision, as the page's samples show (`2025-01-16T03:00:00Z`). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Filters of a backup list (docs/api.md, decision 3). */
export interface BackupFilters {
  serverId?: number;
  backupType?: BackupType;
}

/** A control operation named something that does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A control operation conflicts with the existing state (duplicate id or token). */
export class ConflictError extends Error {
  override name = "ConflictError";
}
