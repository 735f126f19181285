"""A backup taken before a deploy, and a lookup of the server's completed backups, through the
native pulumi-resource-vps plugin and the Python SDK generated from its schema (sdks/python)."""

import pulumi
import pulumi_vps as vps

server_id = pulumi.Config().require_int("serverId")

# Made on `pulumi up` and waited for until it is completed; deleted on destroy.
pre_deploy = vps.ServerBackup("preDeploy", server_id=server_id, description="before the deploy")

completed = vps.get_backups_output(server_id=server_id, status="completed")

pulumi.export("backupId", pre_deploy.backup_id)
pulumi.export("status", pre_deploy.status)
pulumi.export("sizeMb", pre_deploy.size_mb)
pulumi.export("completedBackupsBefore", completed.count)
