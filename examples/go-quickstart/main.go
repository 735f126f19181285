// A backup taken before a deploy, and a lookup of the server's completed backups, through the
// native pulumi-resource-vps plugin and the Go SDK generated from its schema (sdks/go).
package main

import (
	"github.com/pulumi-vps-backups/pulumi-vps-backups/sdks/go/vps"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		serverID := config.New(ctx, "").RequireInt("serverId")

		// Made on `pulumi up` and waited for until it is completed; deleted on destroy.
		preDeploy, err := vps.NewServerBackup(ctx, "preDeploy", &vps.ServerBackupArgs{
			ServerId:    pulumi.Int(serverID),
			Description: pulumi.String("before the deploy"),
		})
		if err != nil {
			return err
		}

		completed := vps.GetBackupsOutput(ctx, vps.GetBackupsOutputArgs{
			ServerId: pulumi.Int(serverID),
			Status:   pulumi.String("completed"),
		})

		ctx.Export("backupId", preDeploy.BackupId)
		ctx.Export("status", preDeploy.Status)
		ctx.Export("sizeMb", preDeploy.SizeMb)
		ctx.Export("completedBackupsBefore", completed.Count())
		return nil
	})
}
