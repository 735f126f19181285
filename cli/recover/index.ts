/**
 * `vps-backups recover`: after a killed `pulumi up`, finds the backups its pending creates
 * made, prints the plan, and with `--yes` deletes those orphans, removes the dead run's lock,
 * drops the pending operations and refreshes, so the next `pulumi up` neither orphans nor
 * duplicates a backup.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Backup, VpsNotFoundError } from "../../sdk";
import { confirm } from "../confirm";
import type { CommandContext } from "../context";
import { UsageError } from "../errors";
import { type Column, note, renderTable } from "../output";
import {
  type PlannedCreate,
  type RecoveryPlan,
  type StackExport,
  planRecovery,
  readPendingOperations,
  withoutDroppedOperations,
} from "./plan";
import {
  type StackLock,
  type StackNames,
  findBrokenSidecars,
  findStackLocks,
  lockHolderAlive,
} from "./file-backend";
import {
  type PulumiTarget,
  exportStack,
  fileBackendFolder,
  importStack,
  lastUpdateBoundary,
  mustRunPulumi,
  namesFromState,
  runPulumi,
} from "./pulumi";

export interface RecoverFlags {
  stack?: string;
  cwd?: string;
  since?: string;
  deleteAmbiguous?: boolean;
  refresh?: boolean;
  yes?: boolean;
}

/** What `recover -o json` prints. */
export interface RecoveryReport extends RecoveryPlan {
  stack: string | null;
  /**
   * Metadata files of a file backend that a kill during a state save left empty or cut short,
   * so that pulumi could not read the stack; removed with `--yes`.
   */
  brokenMetadata: string[];
  brokenMetadataRemoved: boolean;
  /** The lock the killed run left: null when none was found (or the backend hides it). */
  lock: { pid: number | null; hostname: string | null; takenAt: string | null } | null;
  /** When the killed run began, as used for the match, and where that came from. */
  windowStart: string | null;
  windowSource: "lock" | "history" | "--since" | null;
  /** Whether the plan was carried out (`--yes`). */
  applied: boolean;
  deleted: number[];
  lockRemoved: boolean;
  pendingOperationsCleared: number;
  refreshed: boolean;
  /** The commands and API calls the recovery ran, in order. */
  steps: string[];
}

const PLAN_COLUMNS: Column<PlannedCreate>[] = [
  { header: "PENDING CREATE", value: (entry) => entry.urn.split("::").pop() },
  { header: "SERVER", value: (entry) => entry.serverId },
  { header: "DESCRIPTION", value: (entry) => entry.description ?? "" },
  { header: "BACKUPS", value: (entry) => entry.backupIds.join(",") },
  { header: "AMBIGUOUS", value: (entry) => entry.ambiguousBackupIds.join(",") },
  { header: "NOTE", value: (entry) => entry.note },
];

export async function recoverCommand(
  context: CommandContext,
  flags: RecoverFlags,
  stdin: NodeJS.ReadableStream,
): Promise<number> {
  const cwd = path.resolve(flags.cwd ?? ".");
  if (!fs.existsSync(cwd)) throw new UsageError(`--cwd ${cwd} does not exist`);
  const sinceMs = flags.since !== undefined ? Date.parse(flags.since) : undefined;
  if (sinceMs !== undefined && !Number.isFinite(sinceMs)) {
    throw new UsageError(`--since must be a date and time like 2026-05-01T12:00:00Z`);
  }
  const target: PulumiTarget = { cwd, stack: flags.stack };
  const steps: string[] = [];
  const say = (message: string) => note(context.output, message);

  const folder = await fileBackendFolder(target);
  const projectNames = folder ? await namesFromProject(target, cwd) : undefined;
  const fileBackend = folder && projectNames ? { folder, names: projectNames } : undefined;
  const brokenMetadata = fileBackend
    ? findBrokenSidecars(fileBackend.folder, fileBackend.names)
    : [];
  if (fileBackend && brokenMetadata.length > 0) {
    say(
      `A run killed while saving the stack left ${brokenMetadata.length} metadata file(s) of the file backend empty or cut short, and pulumi fails on them with "EOF": ${brokenMetadata.join(", ")}. ` +
        "They hold only a content type and a checksum pulumi does not check; the files beside them are their last complete saves.",
    );
    if (!flags.yes && !context.interactive) {
      say("This was the plan only: run again with --yes to remove them and recover the stack.");
      const empty = planRecovery({ deployment: {} }, new Map(), undefined);
      return finish(context, unreadReport(empty, projectNames, brokenMetadata), 0);
    }
    await confirm({
      yes: Boolean(flags.yes),
      interactive: context.interactive,
      stdin,
      stderr: context.output.stderr,
      action: "",
      what: "remove the broken metadata files",
    });
    // A live run rewrites these files as it saves: only a dead run's are broken for good.
    refuseWhileRunning(findStackLocks(fileBackend.folder, fileBackend.names));
    for (const file of brokenMetadata) {
      fs.rmSync(file, { force: true });
      steps.push(`remove ${file}`);
    }
    say(
      `Removed ${brokenMetadata.length} broken metadata file(s): pulumi can read the stack again.`,
    );
  }

  let state = await exportStack(target);
  const names = namesFromState(state) ?? projectNames ?? (await namesFromProject(target, cwd));
  const locks = folder && names ? findStackLocks(folder, names) : undefined;
  const lock: StackLock | undefined = locks?.[0];
  const history = await lastUpdateBoundary(target);

  let windowStartMs: number | undefined;
  let windowSource: RecoveryReport["windowSource"] = null;
  if (sinceMs !== undefined) [windowStartMs, windowSource] = [sinceMs, "--since"];
  else if (lock?.timestampMs) [windowStartMs, windowSource] = [lock.timestampMs, "lock"];
  else if (history) [windowStartMs, windowSource] = [history.atMs, "history"];

  const { creates } = readPendingOperations(state);
  const backupsByServer = new Map<number, Backup[]>();
  const client = creates.length > 0 ? context.client() : undefined;
  for (const create of creates) {
    if (client && create.serverId !== null && !backupsByServer.has(create.serverId)) {
      backupsByServer.set(
        create.serverId,
        await client.listBackups({ serverId: create.serverId, backupType: "manual" }),
      );
    }
  }
  const plan = planRecovery(state, backupsByServer, windowStartMs);
  const report: RecoveryReport = {
    ...plan,
    stack: names?.stack ?? flags.stack ?? null,
    brokenMetadata,
    brokenMetadataRemoved: brokenMetadata.length > 0,
    lock: lock
      ? {
          pid: lock.pid,
          hostname: lock.hostname,
          takenAt: lock.timestampMs ? new Date(lock.timestampMs).toISOString() : null,
        }
      : null,
    windowStart: windowStartMs !== undefined ? new Date(windowStartMs).toISOString() : null,
    windowSource,
    applied: false,
    deleted: [],
    lockRemoved: false,
    pendingOperationsCleared: 0,
    refreshed: false,
    steps,
  };

  describePlan(context, report, Boolean(flags.deleteAmbiguous));
  const cancelNeeded = (locks !== undefined && locks.length > 0) || history?.inProgress === true;
  const nothingToDo = !cancelNeeded && plan.dropped.length === 0 && plan.toDelete.length === 0;
  if (nothingToDo) {
    say("Nothing to recover: the stack is not locked and has no pending operation of ours.");
    return finish(context, report, 0);
  }
  if (!flags.yes && !context.interactive) {
    say("This was the plan only: run again with --yes to carry it out.");
    return finish(context, report, 0);
  }
  refuseWhileRunning(locks ?? []);
  if (plan.ambiguous.length > 0 && !flags.deleteAmbiguous) {
    throw new Error(
      `backups ${plan.ambiguous.join(", ")} may have been made by the killed run, but that is not certain: ` +
        `check them (vps-backups list), then run recover again with --delete-ambiguous, or with --since <when the run began>`,
    );
  }
  await confirm({
    yes: Boolean(flags.yes),
    interactive: context.interactive,
    stdin,
    stderr: context.output.stderr,
    action: "",
    what: "recover the stack",
  });

  report.applied = true;
  if (cancelNeeded) {
    await mustRunPulumi(target, ["cancel", "--yes"]);
    steps.push("pulumi cancel --yes");
    report.lockRemoved = true;
    say("Removed the lock of the killed run (pulumi cancel).");
  }
  const toDelete = flags.deleteAmbiguous ? [...plan.toDelete, ...plan.ambiguous] : plan.toDelete;
  for (const backupId of toDelete) {
    try {
      await context.client().deleteBackup(backupId);
    } catch (error) {
      // Gone already (deleted meanwhile, or expired) is what we wanted.
      if (!(error instanceof VpsNotFoundError)) throw error;
    }
    steps.push(`delete backup ${backupId}`);
    report.deleted.push(backupId);
    say(`Deleted backup ${backupId}, made by the killed run and recorded nowhere.`);
  }
  if (plan.dropped.length > 0) {
    // Export again: the cancel may have changed nothing, but nothing else must be lost.
    state = await exportStack(target);
    const cleaned = withoutDroppedOperations(state);
    report.pendingOperationsCleared =
      (state.deployment.pending_operations?.length ?? 0) -
      (cleaned.deployment.pending_operations?.length ?? 0);
    await importStack(target, cleaned);
    steps.push("pulumi stack export → drop pending operations → pulumi stack import");
    say(`Dropped ${report.pendingOperationsCleared} pending operation(s) from the state.`);
  }
  if (flags.refresh !== false) {
    await mustRunPulumi(target, ["refresh", "--yes", "--skip-preview", "--non-interactive"]);
    steps.push("pulumi refresh --yes");
    report.refreshed = true;
    say("Refreshed the stack.");
  }
  if (plan.kept.length > 0) {
    say(
      `Left ${plan.kept.length} pending create(s) of other resource types: resolve them with pulumi refresh (see pulumi's --clear-pending-creates / --import-pending-creates).`,
    );
  } else {
    say("Recovered: the next pulumi up starts from a clean state.");
  }
  return finish(context, report, 0);
}

function describePlan(context: CommandContext, report: RecoveryReport, deleteAmbiguous: boolean) {
  const say = (message: string) => note(context.output, message);
  if (report.lock) {
    say(
      `The stack is locked by pulumi (pid ${report.lock.pid ?? "?"} on ${report.lock.hostname ?? "?"}, since ${report.lock.takenAt ?? "?"}).`,
    );
  }
  if (report.windowStart)
    say(`The interrupted run began at ${report.windowStart} (from the ${report.windowSource}).`);
  say(`${report.pendingCreates.length} pending create(s) of ServerBackups.`);
  if (report.toDelete.length > 0) say(`To delete (orphans): ${report.toDelete.join(", ")}.`);
  if (report.ambiguous.length > 0) {
    say(
      `Ambiguous: ${report.ambiguous.join(", ")}${deleteAmbiguous ? " (deleted too: --delete-ambiguous)" : ""}.`,
    );
  }
  for (const kept of report.kept) say(`Not ours, left alone: ${kept.operation} ${kept.urn}.`);
  if (context.output.format === "table" && report.pendingCreates.length > 0) {
    context.output.stdout.write(renderTable(context.output, report.pendingCreates, PLAN_COLUMNS));
  }
}

function finish(context: CommandContext, report: RecoveryReport, code: number): number {
  if (context.output.format === "json") {
    context.output.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  }
  return code;
}

/** Throws when a lock's process still runs on this host: the run is not dead. */
function refuseWhileRunning(locks: StackLock[]): void {
  const alive = locks.find(lockHolderAlive);
  if (alive) {
    throw new Error(
      `the stack is locked by pulumi (pid ${alive.pid}) on this host, which is still running: wait for it to end or stop it, then run recover again`,
    );
  }
}

/** The report of a plan-only run that stopped at an unreadable stack. */
function unreadReport(
  plan: RecoveryPlan,
  names: StackNames | undefined,
  brokenMetadata: string[],
): RecoveryReport {
  return {
    ...plan,
    stack: names?.stack ?? null,
    brokenMetadata,
    brokenMetadataRemoved: false,
    lock: null,
    windowStart: null,
    windowSource: null,
    applied: false,
    deleted: [],
    lockRemoved: false,
    pendingOperationsCleared: 0,
    refreshed: false,
    steps: [],
  };
}

/**
 * Project and stack names from the project's folder (`Pulumi.yaml`, and `--stack` or the
 * selected stack): before the state is read, or when it has no resource yet.
 */
async function namesFromProject(
  target: PulumiTarget,
  cwd: string,
): Promise<StackNames | undefined> {
  let project: string | undefined;
  for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
    const full = path.join(cwd, file);
    if (!fs.existsSync(full)) continue;
    project = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(full, "utf8"))?.[1];
  }
  const stack = target.stack ?? (await runPulumi(target, ["stack", "--show-name"])).stdout.trim();
  return project && stack ? { project, stack } : undefined;
}

export type { StackExport };
