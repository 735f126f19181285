/** The Pulumi surface: the `ServerBackup` and `ServerRestore` resources and the functions. */
export { ServerBackup, type ServerBackupArgs } from "./server-backup";
export { ServerRestore, type ServerRestoreArgs } from "./server-restore";
export {
  getBackups,
  getBackupsOutput,
  getBackup,
  getBackupOutput,
  type GetBackupsArgs,
  type GetBackupsOutputArgs,
  type GetBackupsResult,
  type GetBackupArgs,
  type GetBackupOutputArgs,
  type GetBackupResult,
} from "./get-backups";
export {
  restoreServer,
  restoreServerOutput,
  type RestoreServerArgs,
  type RestoreServerOutputArgs,
  type RestoreServerResult,
} from "./restore-server";
export { ResourceInitializationError, BackupMatchError } from "./errors";
export { RestoreWaitError } from "./restore-operation";
export { parseDuration, MAX_DURATION_MS } from "./duration";
