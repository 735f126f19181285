/**
 * The emulator as the integration tests use it: started fast, with fresh accounts so each
 * test works on data no other test touches, its inventory as the ground truth, and a wait
 * for something the lifecycle brings.
 */
import { randomBytes } from "node:crypto";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator";

/** A short random suffix for fixture names, descriptions and tokens. */
export function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Starts the emulator with lifecycles a thousand times faster and no automatic backups, so the
 * only backups are the ones a test makes.
 */
export function startFastEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0, randomSeed: 7, ...options });
}

/** An account made for one test. */
export interface FreshAccount {
  accountId: string;
  token: string;
  /** The first (often the only) server. */
  serverId: number;
  serverIds: number[];
}

/** Creates a fresh account with `servers` servers of `diskGb` GB through the in-process handle. */
export function freshAccount(
  emulator: RunningEmulator,
  { servers = 1, diskGb = 20 }: { servers?: number; diskGb?: number } = {},
): FreshAccount {
  const suffix = randomSuffix();
  const created = emulator.state.createAccount({
    id: `test-account-${suffix}`,
    token: `test-token-${suffix}-${randomBytes(8).toString("hex")}`,
    servers: Array.from({ length: servers }, (_, index) => ({
      name: `test-server-${suffix}-${index}`,
      diskGb,
    })),
  });
  const serverIds = created.servers.map((server) => server.id);
  const [serverId] = serverIds;
  if (serverId === undefined) throw new Error("freshAccount needs at least one server");
  return { accountId: created.account.id, token: created.account.token, serverId, serverIds };
}

/** Manual backup ids, as the emulator holds them now. */
export function manualBackupIds(emulator: RunningEmulator): number[] {
  return emulator.state
    .inventory()
    .accounts.flatMap((account) => account.servers)
    .flatMap((server) => server.backups)
    .filter((backup) => backup.backup_type === "manual")
    .map((backup) => backup.id)
    .sort((a, b) => a - b);
}

/**
 * Every backup of an account as the emulator holds it now (the ground truth), read from its
 * model directly: the whole inventory renders every account, which grows with each test.
 */
export function inventoryBackups(
  emulator: RunningEmulator,
  accountId: string,
): { id: number; serverId: number; description: string | null; status: string }[] {
  if (!emulator.state.accounts().some((account) => account.id === accountId)) {
    throw new Error(`account ${accountId} is not in the emulator's inventory`);
  }
  emulator.state.tick();
  return emulator.state.backupsOf(accountId).map((backup) => ({
    id: backup.id,
    serverId: backup.serverId,
    description: backup.description,
    status: backup.status,
  }));
}

/**
 * Waits until `probe` returns something other than undefined, and returns it. Probes every
 * `intervalMs`; gives up after `timeoutMs` (a guard against a hang far above the usual wait:
 * the test's own budget is the real limit), naming what it waited for.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  { timeoutMs = 30_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
