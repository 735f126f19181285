// Looking up existing backups: every automatic backup of a server, and the most recent
// completed one (for example to restore from it, or to export its id to another stack).
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverId = config.getNumber("serverId") ?? 12345;

const automatic = vps.getBackupsOutput({ serverId, backupType: "Automatic" });
const latest = vps.getBackupOutput({ serverId, status: "completed", mostRecent: true });
const preUpdate = vps.getBackupOutput({ serverId, descriptionRegex: "^Pre-update" });

export const automaticBackupIds = automatic.backups.apply((backups) => backups.map((b) => b.id));
export const automaticCount = automatic.count;
export const latestBackupId = latest.id;
export const latestCreatedAt = latest.createdAt;
export const preUpdateBackupId = preUpdate.id;
