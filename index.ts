/**
 * pulumi-vps-backups: declare the backups of your VPS servers in Pulumi programs.
 *
 * The package root exports the standalone API client (`VpsClient`, its errors and schemas)
 * and the Pulumi surface (`ServerBackup`, `ServerRestore`, `getBackups`, `restoreServer`, …),
 * so it needs `@pulumi/pulumi`. Without Pulumi, import the client alone from
 * `pulumi-vps-backups/sdk`; the emulator is `pulumi-vps-backups/emulator` (needs `fastify`).
 */
export * from "./sdk";
export * from "./provider";
