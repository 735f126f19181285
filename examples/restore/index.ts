// A restore drill: restores a server from one of its backups, declaratively. A restore
// overwrites the server's disk (downtime, and every write since the backup is lost), so this
// program restores nothing until you name the server to restore:
//
//   pulumi config set restoreServerId 12345
//   pulumi config set backupId 499    # optional; default: the server's newest completed backup
//
// Once opted in, the server is restored on the next `pulumi up` and again whenever backupId or
// restoreRequest changes; an unchanged `pulumi up` restores nothing. Without restoreServerId
// the program declares no resource and says how to opt in. For one-off restores from a script,
// see restore-script.ts (restoreServer).
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverId = config.getNumber("restoreServerId");

let restore: vps.ServerRestore | undefined;
if (serverId === undefined) {
  pulumi.log.info(
    "The restore drill is off: nothing is restored. A restore overwrites the server's disk; " +
      "to run it, name the server: `pulumi config set restoreServerId <server id>` " +
      "(and optionally `pulumi config set backupId <backup id>`), then `pulumi up`.",
  );
} else {
  // Default: the server's most recent completed backup at the time of the first `pulumi up`.
  const backupId =
    config.getNumber("backupId") ??
    vps.getBackupOutput({ serverId, status: "completed", mostRecent: true }).id;
  restore = new vps.ServerRestore("restore", {
    serverId,
    backupId,
    triggers: [config.get("restoreRequest") ?? "initial"],
  });
}

export const restoreDrill = restore ? "on" : "off (set restoreServerId to opt in)";
export const restoredServerId = restore?.serverId;
export const restoredFromBackupId = restore?.backupId;
