// A one-off restore from a plain script (no Pulumi engine involved), e.g. in an incident:
//   VPS_API_TOKEN=... npx ts-node restore-script.ts 12345 499
// Set VPS_API_URL to point at the emulator or another platform.
import { restoreServer } from "pulumi-vps-backups";

async function main(): Promise<void> {
  const [serverId, backupId] = process.argv.slice(2).map(Number);
  if (!serverId || !backupId) {
    console.error("usage: restore-script.ts <serverId> <backupId>");
    process.exit(2);
  }
  const result = await restoreServer({ serverId, backupId, backupFirst: true, timeout: "30m" });
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
