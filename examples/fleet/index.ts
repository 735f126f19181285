// Backups of many servers from a list in stack config:
// `pulumi config set --path 'servers[0]' 12345` (default: 12345 and 12346).
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const servers = config.getObject<number[]>("servers") ?? [12345, 12346];
const label = config.get("label") ?? "nightly-release";

// All backups run at once in one provider process; their status polls are shared per server.
const backups = servers.map(
  (serverId) =>
    new vps.ServerBackup(`server-${serverId}`, {
      serverId,
      description: `${label} (server ${serverId})`,
    }),
);

export const backupIds = pulumi.all(backups.map((b) => b.backupId));
export const totalSizeMb = pulumi
  .all(backups.map((b) => b.sizeMb))
  .apply((sizes) => sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0));
