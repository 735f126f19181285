/**
 * pulumi-vps-backups: declare the backups of your VPS servers in Pulumi programs.
 *
 * The package root exports the standalone API client (`VpsClient`, its errors and schemas)
 * and the Pulumi surface (`ServerBackup`, `ServerRestore`, `getBackups`, `restoreServer`, …).
 */
export * from "./sdk";
export * from "./provider";
