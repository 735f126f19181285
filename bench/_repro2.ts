import { startEmulator } from "../emulator";
import { VpsClient } from "../sdk";
async function main() {
  const servers = Array.from({ length: 20 }, (_, i) => ({ id: 1000 + i, name: `s${i}`, disk_gb: 40 + i * 6, backups: [] }));
  const emulator = await startEmulator({ seed: { accounts: [{ id: "a", token: "tok-1234567", servers }] }, autoBackupIntervalMs: 0, faults: { rateLimit: { requestsPerSecond: 10, burst: 20 } } });
  const client = new VpsClient({ baseUrl: emulator.url, apiToken: "tok-1234567" });
  const gate = (client as any).rateLimitGate;
  const t0 = Date.now();
  const timer = setInterval(() => { const w = (client as any).watchers as Map<number, any>; const now=Date.now(); const info = [...w.values()].slice(0,4).map((x:any)=>({s:x.serverId, n:x.waiters.size, inF:x.inFlight, next:Math.min(...[...x.waiters].map((st:any)=>st.nextPollAtMs))-now, st:[...x.waiters].map((st:any)=>st.lastStatus).join(",")})); console.log(JSON.stringify(info)); console.log(((Date.now()-t0)/1000).toFixed(1), JSON.stringify({tokens: gate.tokens, refill: gate.refillPerMs, inFlight: gate.inFlight, paused: gate.pausedUntilMs - Date.now(), req: emulator.requests.count(), c201: emulator.requests.count({status:201}), c429: emulator.requests.count({status:429})}))}, 4000);
  await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const serverId = 1000 + (i % 20);
    const b = await client.createBackup({ serverId, description: `fleet ${i}` });
    await client.waitForBackup(b.id, { serverId, timeoutMs: 600_000 });
  }));
  clearInterval(timer);
  await emulator.stop();
}
main();
