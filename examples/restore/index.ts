// A declarative restore: the server is restored from `backupId` on the first `pulumi up` and
// whenever backupId (or a trigger) changes; an unchanged `pulumi up` restores nothing.
// For one-off restores from a script, see restore-script.ts (restoreServer).
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverId = config.getNumber("serverId") ?? 12345;
// Default: the server's most recent completed backup at the time of the first `pulumi up`.
const backupId =
  config.getNumber("backupId") ??
  vps.getBackupOutput({ serverId, status: "completed", mostRecent: true }).id;

const restore = new vps.ServerRestore("restore", {
  serverId,
  backupId,
  triggers: [config.get("restoreRequest") ?? "initial"],
});

export const restoredServerId = restore.serverId;
export const restoredFromBackupId = restore.backupId;
