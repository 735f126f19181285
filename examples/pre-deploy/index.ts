// A backup re-taken whenever the app version changes, and a deploy step that waits for it:
// `pulumi config set appVersion 1.2.4 && pulumi up` takes a new backup, then deploys.
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
const serverId = config.getNumber("serverId") ?? 12345;
const appVersion = config.get("appVersion") ?? "1.0.0";

const backup = new vps.ServerBackup("pre-deploy", {
  serverId,
  description: `Before deploying ${appVersion}`,
  triggers: [appVersion],
  createTimeout: "30m",
});

/** Stands in for your real deploy step (a Command, a Kubernetes Deployment, …). */
const deployProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `deploy-${inputs.appVersion}`, outs: inputs };
  },
};
class Deployment extends pulumi.dynamic.Resource {
  declare readonly appVersion: pulumi.Output<string>;
  declare readonly safetyBackupId: pulumi.Output<number>;
  constructor(
    name: string,
    args: { appVersion: pulumi.Input<string>; safetyBackupId: pulumi.Input<number> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(deployProvider, name, args, opts);
  }
}

// dependsOn makes the deploy wait until the backup has completed.
const deploy = new Deployment(
  "app",
  { appVersion, safetyBackupId: backup.backupId },
  { dependsOn: [backup], replaceOnChanges: ["appVersion"], deleteBeforeReplace: true },
);

export const deployedVersion = deploy.appVersion;
export const safetyBackupId = deploy.safetyBackupId;
export const backupCreatedAt = backup.createdAt;
