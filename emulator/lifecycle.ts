/**
 * The lifecycle on the virtual clock: backups finishing or failing, restores ending, automatic
 * backups appearing on their daily rhythm and expiring a month later.
 *
 * Nothing here runs on timers: {@link Lifecycle.applyDue} is called lazily (by
 * `EmulatorState.tick()`) and applies whatever is due by the virtual now. It changes the data it
 * is given in place; saving is the caller's business.
 */
import type { BackupType } from "../sdk/schemas";
import {
  AUTOMATIC_BACKUP_DESCRIPTION,
  type EmulatorBackup,
  type EmulatorServer,
  type LifecycleOptions,
  type StateSnapshot,
  addOneMonth,
} from "./model";
import type { SeededRandom } from "./seeded-random";

/** An in-progress backup takes its planned outcome (and size, when it completes). */
export function settle(backup: EmulatorBackup): void {
  backup.status = backup.plannedOutcome;
  backup.sizeMb = backup.plannedOutcome === "completed" ? backup.plannedSizeMb : null;
  backup.finishesAt = null;
}

/** Moves backups, restores and automatic backups along the virtual clock. */
export class Lifecycle {
  /**
   * @param options lifecycle settings
   * @param random the state's seeded random source (sizes, failures)
   * @param now the virtual now, ms since the epoch
   */
  constructor(
    readonly options: LifecycleOptions,
    private readonly random: SeededRandom,
    private readonly now: () => number,
  ) {}

  /**
   * Applies everything due by now: settles finished backups, ends restores, makes the automatic
   * backups whose time has come, and removes expired backups.
   * @returns true when anything changed
   */
  applyDue(data: StateSnapshot): boolean {
    const now = this.now();
    let changed = this.makeDueAutomaticBackups(data, now);
    for (const backup of data.backups) {
      if (
        backup.status === "in_progress" &&
        backup.finishesAt !== null &&
        backup.finishesAt <= now
      ) {
        settle(backup);
        changed = true;
      }
    }
    for (const server of data.servers) {
      if (server.restoringUntil !== null && server.restoringUntil <= now) {
        server.restoringUntil = null;
        server.baseStatus = "active";
        changed = true;
      }
    }
    const kept = data.backups.filter((b) => b.expiresAt === null || b.expiresAt > now);
    if (kept.length !== data.backups.length) {
      data.backups = kept;
      changed = true;
    }
    return changed;
  }

  /** Real-time duration of a backup of this server, scaled, in ms. */
  backupDurationMs(server: EmulatorServer): number {
    const o = this.options;
    return (o.backupBaseMs + o.backupPerGbMs * server.diskGb) * o.timeScale;
  }

  /** Real-time duration of a restore of this server, scaled, in ms. */
  restoreDurationMs(server: EmulatorServer): number {
    const o = this.options;
    return (o.restoreBaseMs + o.restorePerGbMs * server.diskGb) * o.timeScale;
  }

  /** A backup's size: about 5.5 % of the disk in MiB, with ±3 % seeded jitter (80 GB → ~4500 MB). */
  private plannedSize(server: EmulatorServer): number {
    return Math.max(
      1,
      Math.round(server.diskGb * 1024 * 0.055 * (0.97 + 0.06 * this.random.next())),
    );
  }

  /** Gives every server without one the time of its next automatic backup (or none when off). */
  scheduleAutomaticBackups(data: StateSnapshot): void {
    const interval = this.options.autoBackupIntervalMs;
    const now = this.now();
    for (const server of data.servers) {
      if (interval <= 0) {
        server.nextAutomaticBackupAt = null;
      } else if (server.nextAutomaticBackupAt === null) {
        // Continue the server's rhythm from its latest automatic backup when that is still ahead.
        const latest = data.backups
          .filter((b) => b.serverId === server.id && b.backupType === "automatic")
          .reduce((max, b) => Math.max(max, b.createdAt), -Infinity);
        const fromLatest = latest + interval;
        server.nextAutomaticBackupAt = fromLatest > now ? fromLatest : now + interval;
      }
    }
  }

  private makeDueAutomaticBackups(data: StateSnapshot, now: number): boolean {
    const interval = this.options.autoBackupIntervalMs;
    if (interval <= 0) return false;
    let changed = false;
    for (const server of data.servers) {
      let due = server.nextAutomaticBackupAt;
      if (due === null || due > now) continue;
      const slots = Math.floor((now - due) / interval) + 1;
      const skipped = Math.max(0, slots - this.options.maxAutomaticBackupsPerCatchUp);
      due += skipped * interval;
      for (; due <= now; due += interval) {
        // A backup that would already have expired is never seen by anyone: skip it.
        if (addOneMonth(due) > now)
          this.startBackup(data, server, "automatic", AUTOMATIC_BACKUP_DESCRIPTION, due);
      }
      server.nextAutomaticBackupAt = due;
      changed = true;
    }
    return changed;
  }

  /** Adds a backup of the server, in progress, planned by the queued override or the settings. */
  startBackup(
    data: StateSnapshot,
    server: EmulatorServer,
    backupType: BackupType,
    description: string | null,
    createdAt: number,
  ): EmulatorBackup {
    const override = data.nextBackupOverrides[String(server.id)]?.shift();
    const plannedSizeMb = this.plannedSize(server);
    const failed = this.random.chance(this.options.failureRate);
    const plannedOutcome =
      override?.outcome === "completed" || override?.outcome === "failed"
        ? override.outcome
        : failed
          ? "failed"
          : "completed";
    const duration =
      override?.durationMs !== undefined
        ? override.durationMs * this.options.timeScale
        : this.backupDurationMs(server);
    const backup: EmulatorBackup = {
      id: data.nextBackupId++,
      serverId: server.id,
      backupType,
      status: "in_progress",
      sizeMb: null,
      createdAt,
      expiresAt: backupType === "automatic" ? addOneMonth(createdAt) : null,
      description,
      finishesAt: override?.outcome === "stuck" ? null : createdAt + duration,
      plannedOutcome,
      plannedSizeMb,
    };
    data.backups.push(backup);
    // A catch-up backup may already be due: settle it at once so lists never show it running late.
    if (backup.finishesAt !== null && backup.finishesAt <= this.now()) settle(backup);
    return backup;
  }
}
