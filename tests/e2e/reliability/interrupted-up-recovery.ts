/**
 * The recovery RELIABILITY.md documents for a `pulumi up` that died (SIGKILL, a crashed
 * machine, a cancelled CI runner) while ServerBackups were being created, as code: the
 * reliability test runs exactly these steps, so the procedure in the docs is the one tested.
 *
 * Why it is needed: the engine writes a *pending create* for a resource before it calls the
 * provider's `create`, and replaces it with the resource (and its id) only when `create`
 * answers. A backup the platform accepted before the process died is therefore known to the
 * stack only as a pending create without an id. `pulumi refresh --clear-pending-creates` drops
 * it, and the next `pulumi up` makes a new backup: the first one is orphaned. The engine's own
 * way to keep it, `pulumi refresh --import-pending-creates <urn> <id>`, drops the operation
 * without adding the resource in CLI 3.274.1 (measured by the test, see RELIABILITY.md), so
 * the recovery finds those backups through the API and deletes them before clearing.
 */
import { type Backup, type VpsClient, VpsNotFoundError } from "../../../sdk";
import type { PulumiStack, StateResource } from "../../../tools/pulumi-engine/stack";

/** A ServerBackup whose create the engine started but never saw answered. */
export interface PendingBackupCreate {
  urn: string;
  serverId: number;
  description: string | null;
}

/** What the recovery found and did, step by step. */
export interface RecoveryReport {
  /** `pulumi cancel` removed the lock the killed run left (file and cloud backends keep it). */
  lockRemoved: boolean;
  /** The pending creates of ServerBackups in the state before the recovery. */
  pendingCreates: PendingBackupCreate[];
  /**
   * Per pending create, the backups it made that the state does not hold: the backups a bare
   * `pulumi refresh --clear-pending-creates` would orphan. More than one for one create is a
   * duplicate POST.
   */
  unrecorded: { urn: string; backupIds: number[] }[];
  /** Whether `--import-pending-creates` put the ids into the state (undefined: not tried). */
  importWorked?: boolean;
  /** Backups deleted by the recovery (the unrecorded ones). */
  deleted: number[];
  /** The steps a person would have run, in order (the figure "manual steps"). */
  steps: string[];
  /** Output of the final refresh. */
  refreshOutput: string;
}

/** Ids of the ServerBackups recorded in a state export. */
export function serverBackupIds(resources: StateResource[]): number[] {
  return resources
    .filter((resource) => resource.type.endsWith(":ServerBackup") && resource.id)
    .map((resource) => Number(resource.id))
    .sort((a, b) => a - b);
}

function pendingBackupCreates(pendingOperations: unknown[]): PendingBackupCreate[] {
  const creates: PendingBackupCreate[] = [];
  for (const operation of pendingOperations as {
    type?: string;
    resource?: { urn: string; type: string; inputs?: Record<string, unknown> };
  }[]) {
    const resource = operation.resource;
    if (operation.type !== "creating" || !resource?.type.endsWith(":ServerBackup")) continue;
    creates.push({
      urn: resource.urn,
      serverId: Number(resource.inputs?.serverId),
      description:
        typeof resource.inputs?.description === "string" ? resource.inputs.description : null,
    });
  }
  return creates;
}

/**
 * The backups a pending create may have made: manual backups of its server with its
 * description, created after the interrupted run started (`createdAt` has second precision,
 * hence the one-second margin), that the state does not hold (a replaced resource's old
 * backup has the same description and stays in the state until the replacement finishes).
 */
function madeBy(
  create: PendingBackupCreate,
  backups: Backup[],
  recordedIds: Set<number>,
  interruptedRunStartedAtMs: number,
): number[] {
  return backups
    .filter(
      (backup) =>
        (backup.description ?? null) === create.description &&
        !recordedIds.has(backup.id) &&
        Date.parse(backup.createdAt) >= interruptedRunStartedAtMs - 1_000,
    )
    .map((backup) => backup.id);
}

/**
 * Recovers a stack after a killed `pulumi up`: removes the stale lock, finds the backups of
 * the pending creates through the API, optionally tries the engine's import, deletes what is
 * still unrecorded, then `pulumi refresh --clear-pending-creates`. Throws when the refresh fails.
 */
export async function recoverInterruptedUp(
  stack: PulumiStack,
  client: VpsClient,
  options: { interruptedRunStartedAtMs: number; tryImport?: boolean },
): Promise<RecoveryReport> {
  const steps: string[] = [];
  // Every update of a locked stack fails, naming `pulumi cancel`; the lock is the killed run's.
  const lockRemoved = stack.isLocked();
  if (lockRemoved) {
    await stack.mustRun(["cancel", "--yes"]);
    steps.push("pulumi cancel --yes");
  }

  let state = await stack.exportState();
  const pendingCreates = pendingBackupCreates(state.pendingOperations);
  const unrecorded: RecoveryReport["unrecorded"] = [];
  let importWorked: boolean | undefined;
  const deleted: number[] = [];
  let pendingCreatesLeft = pendingCreates.length > 0;

  if (pendingCreates.length > 0) {
    steps.push("pulumi stack export: list the pending creates (urn, serverId, description)");
    steps.push("list each server's manual backups with that description not in the state");
    let recorded = new Set(serverBackupIds(state.resources));
    const backupsByServer = new Map<number, Backup[]>();
    for (const create of pendingCreates) {
      if (!backupsByServer.has(create.serverId)) {
        backupsByServer.set(
          create.serverId,
          await client.listBackups({ serverId: create.serverId, backupType: "manual" }),
        );
      }
      const candidates = madeBy(
        create,
        backupsByServer.get(create.serverId) ?? [],
        recorded,
        options.interruptedRunStartedAtMs,
      );
      unrecorded.push({ urn: create.urn, backupIds: candidates });
    }

    const importable = unrecorded.filter((entry) => entry.backupIds.length === 1);
    if (options.tryImport && importable.length > 0) {
      steps.push("pulumi refresh --import-pending-creates <urn> <id> …");
      const imported = await stack.refresh(
        importable.flatMap((entry) => [
          "--import-pending-creates",
          entry.urn,
          "--import-pending-creates",
          String(entry.backupIds[0]),
        ]),
      );
      if (imported.code !== 0) {
        throw new Error(`pulumi refresh --import-pending-creates failed:\n${imported.output}`);
      }
      state = await stack.exportState();
      recorded = new Set(serverBackupIds(state.resources));
      importWorked = importable.every((entry) => recorded.has(entry.backupIds[0] as number));
      pendingCreatesLeft = pendingBackupCreates(state.pendingOperations).length > 0;
    }

    for (const entry of unrecorded) {
      for (const backupId of entry.backupIds) {
        if (recorded.has(backupId)) continue;
        try {
          await client.deleteBackup(backupId);
        } catch (error) {
          // Gone already (deleted by someone else meanwhile) is what we wanted.
          if (!(error instanceof VpsNotFoundError)) throw error;
        }
        deleted.push(backupId);
      }
    }
    if (deleted.length > 0) steps.push("delete those backups (or adopt them with adoptBackupId)");
  }

  const clearFlag = pendingCreatesLeft ? ["--clear-pending-creates"] : [];
  steps.push(`pulumi refresh --yes${clearFlag.length ? " --clear-pending-creates" : ""}`);
  const refresh = await stack.refresh(clearFlag);
  if (refresh.code !== 0) throw new Error(`pulumi refresh failed:\n${refresh.output}`);
  return {
    lockRemoved,
    pendingCreates,
    unrecorded,
    importWorked,
    deleted,
    steps,
    refreshOutput: refresh.output,
  };
}
