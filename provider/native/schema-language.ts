/**
 * The `language` section of the package schema: how the SDK generators name and place the
 * generated packages. Kept apart from the derivation so that SDK generation settings change
 * here alone; values must be plain JSON.
 */
export const SCHEMA_LANGUAGE = {
  nodejs: {
    packageName: "@pulumi-vps-backups/vps",
    packageDescription:
      "Backups and restores of VPS servers from Pulumi programs, through the pulumi-resource-vps provider.",
  },
  python: {
    packageName: "pulumi_vps",
  },
  go: {
    importBasePath: "github.com/pulumi-vps-backups/pulumi-vps-backups/sdks/go/vps",
  },
} as const;
