/**
 * The recovery after a killed `pulumi up`, as a plan computed from the stack's state and the
 * API's backups (no side effects here).
 *
 * Why it is needed: the engine writes a *pending create* for a resource before it calls the
 * provider's `create`, and replaces it with the resource (and its id) only when `create`
 * answers. A backup the platform accepted before the process died is known to the stack only
 * as a pending create without an id. `pulumi refresh --clear-pending-creates` drops it and the
 * next `pulumi up` makes a new backup: the first one is orphaned. The engine's own way to keep
 * it, `pulumi refresh --import-pending-creates <urn> <id>`, drops the operation without adding
 * the resource in CLI 3.274.1, and a dynamic provider's resources cannot be imported anyway, so
 * the recovery finds those backups through the API and deletes them before clearing.
 *
 * Which backup a pending create made follows the adoption rule of the sdk's `createBackup`
 * after an ambiguous POST: a backup of the create's server, with its description, created
 * since the operation began, and known to no one (here: not recorded in the state).
 */
import { type Backup, CREATE_ADOPTION_CLOCK_SKEW_MS } from "../../sdk";

/** The resource types whose pending creates the recovery resolves. */
export const SERVER_BACKUP_TYPES = [
  "pulumi-nodejs:dynamic/vps:ServerBackup",
  "vps:index:ServerBackup",
] as const;

/** `createdAt` has second precision: a backup stamped in the second the run began counts. */
const TIMESTAMP_PRECISION_MS = 1_000;

/** A resource as `pulumi stack export` shows it (only what the recovery reads). */
export interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** One entry of `deployment.pending_operations`. */
export interface PendingOperation {
  type?: string;
  resource?: ExportedResource;
}

/** The parsed `pulumi stack export`. */
export interface StackExport {
  version?: number;
  deployment: {
    resources?: ExportedResource[];
    pending_operations?: PendingOperation[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A ServerBackup whose create the engine started but never saw answered. */
export interface PendingBackupCreate {
  urn: string;
  type: string;
  /** null when the state holds no usable id (unknown or secret input). */
  serverId: number | null;
  /** null: no description; undefined: not readable (a secret). */
  description: string | null | undefined;
  /** Set when the resource adopts an existing backup instead of making one. */
  adoptBackupId: number | null;
}

/** What the plan says about one pending create. */
export interface PlannedCreate extends PendingBackupCreate {
  /** Backups this create (or, with equal server and description, one of its group) made. */
  backupIds: number[];
  /** Backups that may be its own but cannot be told apart (left alone unless asked). */
  ambiguousBackupIds: number[];
  /** Why, in words. */
  note: string;
}

export interface OtherPendingOperation {
  urn: string;
  type: string;
  operation: string;
}

export interface RecoveryPlan {
  /** The ServerBackups' ids the state records, as the recovery read it. */
  recorded: number[];
  pendingCreates: PlannedCreate[];
  /** Pending operations the recovery leaves alone: creates of other resource types. */
  kept: OtherPendingOperation[];
  /** Pending operations it drops: ours, and others' non-create operations (the engine drops those too). */
  dropped: OtherPendingOperation[];
  /** Backups to delete (orphans). */
  toDelete: number[];
  /** Backups that may be orphans but are not certainly the stack's. */
  ambiguous: number[];
  /** Pending creates that made more than one backup (a duplicate POST). */
  duplicates: number;
}

/** Ids of the ServerBackups the state records. */
export function recordedBackupIds(resources: ExportedResource[]): Set<number> {
  const ids = new Set<number>();
  for (const resource of resources) {
    if (!isServerBackup(resource.type) || !resource.id) continue;
    const id = Number(resource.id);
    if (Number.isSafeInteger(id)) ids.add(id);
  }
  return ids;
}

export function isServerBackup(type: string | undefined): boolean {
  return (SERVER_BACKUP_TYPES as readonly string[]).includes(type ?? "");
}

function plainId(value: unknown): number | null {
  const id = typeof value === "string" ? Number(value) : value;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The pending creates of ServerBackups, and every other pending operation. */
export function readPendingOperations(state: StackExport): {
  creates: PendingBackupCreate[];
  others: (OtherPendingOperation & { create: boolean })[];
} {
  const creates: PendingBackupCreate[] = [];
  const others: (OtherPendingOperation & { create: boolean })[] = [];
  for (const operation of state.deployment.pending_operations ?? []) {
    const resource = operation.resource;
    const ours = isServerBackup(resource?.type);
    if (operation.type === "creating" && ours && resource) {
      const inputs = resource.inputs ?? {};
      const description = inputs.description;
      creates.push({
        urn: resource.urn,
        type: resource.type,
        serverId: plainId(inputs.serverId),
        description:
          description === undefined || description === null || description === ""
            ? null
            : typeof description === "string"
              ? description
              : undefined,
        adoptBackupId: plainId(inputs.adoptBackupId),
      });
    } else {
      others.push({
        urn: resource?.urn ?? "(unknown)",
        type: resource?.type ?? "(unknown)",
        operation: operation.type ?? "(unknown)",
        create: operation.type === "creating" && !ours,
      });
    }
  }
  return { creates, others };
}

/**
 * Matches each pending create with the backups it made. `windowStartMs` is when the killed
 * run began (undefined: unknown, and every match is ambiguous). Backups from the clock-skew
 * margin before it (the sdk's {@link CREATE_ADOPTION_CLOCK_SKEW_MS}) are ambiguous.
 */
export function planRecovery(
  state: StackExport,
  backupsByServer: Map<number, Backup[]>,
  windowStartMs: number | undefined,
): RecoveryPlan {
  const { creates, others } = readPendingOperations(state);
  const recorded = recordedBackupIds(state.deployment.resources ?? []);
  const groups = new Map<string, PendingBackupCreate[]>();
  const planned: PlannedCreate[] = [];
  for (const create of creates) {
    if (create.adoptBackupId !== null) {
      planned.push({
        ...create,
        backupIds: [],
        ambiguousBackupIds: [],
        note: `adopts backup ${create.adoptBackupId}: it made none`,
      });
    } else if (create.serverId === null || create.description === undefined) {
      planned.push({
        ...create,
        backupIds: [],
        ambiguousBackupIds: [],
        note: "its server or description is not readable in the state (secret or unknown): check its backups by hand",
      });
    } else {
      const key = JSON.stringify([create.serverId, create.description]);
      groups.set(key, [...(groups.get(key) ?? []), create]);
    }
  }

  let duplicates = 0;
  for (const group of groups.values()) {
    const first = group[0] as PendingBackupCreate & { serverId: number };
    const matching = (backupsByServer.get(first.serverId) ?? [])
      .filter(
        (backup) =>
          backup.backupType === "manual" &&
          (backup.description || null) === (first.description || null) &&
          !recorded.has(backup.id),
      )
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id);
    const certain: number[] = [];
    const ambiguous: number[] = [];
    for (const backup of matching) {
      const createdAtMs = Date.parse(backup.createdAt);
      if (windowStartMs !== undefined && createdAtMs >= windowStartMs - TIMESTAMP_PRECISION_MS) {
        certain.push(backup.id);
      } else if (
        windowStartMs === undefined ||
        createdAtMs >= windowStartMs - CREATE_ADOPTION_CLOCK_SKEW_MS
      ) {
        ambiguous.push(backup.id);
      }
    }
    duplicates += Math.max(0, certain.length - group.length);
    const shared =
      group.length > 1
        ? ` (shared by ${group.length} pending creates with this server and description)`
        : "";
    for (const create of group) {
      planned.push({
        ...create,
        backupIds: certain,
        ambiguousBackupIds: ambiguous,
        note:
          certain.length === 0 && ambiguous.length === 0
            ? "made no backup"
            : `${certain.length > 0 ? `made ${certain.join(", ")}${shared}` : "made none for certain"}` +
              (ambiguous.length > 0
                ? windowStartMs === undefined
                  ? `; ${ambiguous.join(", ")} may be its own (when the run began is unknown: pass --since)`
                  : `; ${ambiguous.join(", ")} created just before the run began may be its own`
                : ""),
      });
    }
  }

  const unique = (ids: number[]) => [...new Set(ids)].sort((a, b) => a - b);
  return {
    recorded: [...recorded].sort((a, b) => a - b),
    pendingCreates: planned,
    kept: others.filter((other) => other.create).map(({ create: _c, ...rest }) => rest),
    dropped: [
      ...creates.map((create) => ({ urn: create.urn, type: create.type, operation: "creating" })),
      ...others.filter((other) => !other.create).map(({ create: _c, ...rest }) => rest),
    ],
    toDelete: unique(planned.flatMap((entry) => entry.backupIds)),
    ambiguous: unique(planned.flatMap((entry) => entry.ambiguousBackupIds)),
    duplicates,
  };
}

/** The state without the pending operations the plan drops. */
export function withoutDroppedOperations(state: StackExport): StackExport {
  const kept = (state.deployment.pending_operations ?? []).filter(
    (operation) => operation.type === "creating" && !isServerBackup(operation.resource?.type),
  );
  return { ...state, deployment: { ...state.deployment, pending_operations: kept } };
}
