// The quick start: a backup of one server that is re-taken whenever the app version changes,
// and a lookup of that server's backups. It never restores anything: restoring overwrites the
// server's disk, so the restore drill lives in examples/restore, behind an explicit opt-in.
//
// Credentials come from stack config (`vps:apiUrl`, `vps:apiToken --secret`) or from the
// VPS_API_URL / VPS_API_TOKEN environment variables.
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverId = config.getNumber("serverId") ?? 12345;
const appVersion = config.get("appVersion") ?? "1.0.0";

// A new backup whenever appVersion changes (create-before-delete keeps one at all times).
const preDeploy = new vps.ServerBackup("pre-deploy", {
  serverId,
  description: "Pre-deployment backup",
  triggers: [appVersion],
});

// Every backup of the server, the new one included once it has completed.
const serverBackups = preDeploy.backupId.apply(() => vps.getBackupsOutput({ serverId }));

export const backupId = preDeploy.backupId;
export const backupStatus = preDeploy.status;
export const backupSizeMb = preDeploy.sizeMb;
export const serverName = preDeploy.serverName;
export const backupCount = serverBackups.count;
export const backupIds = serverBackups.backups.apply((backups) => backups.map((b) => b.id));
