/** The Pulumi surface: the `ServerBackup` and `ServerRestore` resources and the functions. */
export { ServerBackup, type ServerBackupArgs } from "./dynamic/server-backup";
export { ServerRestore, type ServerRestoreArgs } from "./dynamic/server-restore";
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
} from "./dynamic/get-backups";
export {
  restoreServer,
  restoreServerOutput,
  type RestoreServerArgs,
  type RestoreServerOutputArgs,
  type RestoreServerResult,
} from "./dynamic/restore-server";
export { ResourceInitializationError, BackupMatchError } from "./core/errors";
export { RestoreWaitError } from "./server-restore/restore-operation";
export { parseDuration, MAX_DURATION_MS } from "./core/duration";
