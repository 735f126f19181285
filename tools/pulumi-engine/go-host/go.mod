module pulumi-vps-backups/tools/pulumi-engine/go-host

go 1.20

require github.com/pulumi/pulumi/sdk/v3 v3.61.0
