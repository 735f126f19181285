import { startEmulator } from "../emulator";
import { VpsClient } from "../sdk";
async function main() {
  const servers = Array.from({ length: 20 }, (_, i) => ({ id: 1000 + i, name: `s${i}`, disk_gb: 40 + i * 6, backups: [] }));
  const emulator = await startEmulator({ seed: { accounts: [{ id: "a", token: "tok-1234567", servers }] }, autoBackupIntervalMs: 0, faults: { rateLimit: { requestsPerSecond: 10, burst: 20 } } });
  const client = new VpsClient({ baseUrl: emulator.url, apiToken: "tok-1234567" });
  const t0 = Date.now();
  let failed = 0; const errors: string[] = [];
  await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const serverId = 1000 + (i % 20);
    try {
      const b = await client.createBackup({ serverId, description: `fleet ${i}` });
      await client.waitForBackup(b.id, { serverId, timeoutMs: 600_000 });
    } catch (e) { failed++; errors.push((e as Error).message.slice(0, 120)); }
  }));
  const total = emulator.requests.count();
  console.log(JSON.stringify({ seconds: (Date.now() - t0) / 1000, failed, total, r429: emulator.requests.count({ status: 429 }), posts201: emulator.requests.count({ method: "POST", status: 201 }), stats: client.stats, err: errors.slice(0, 2) }));
  await emulator.stop();
}
main();
