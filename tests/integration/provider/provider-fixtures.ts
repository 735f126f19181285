/**
 * Fixtures of the provider's integration tests: an emulator with one account of five servers
 * and a random token (a canary that must never show up in state or messages), and the
 * provider process's shared state pointed at it.
 */
import { randomBytes, randomInt } from "node:crypto";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import * as runtime from "../../../provider/runtime";

/** Fast polls: the emulator's time scale makes backups take tens of milliseconds. */
export const TEST_POLL_INTERVAL_MS = 20;
/** Every emulated backup and restore duration is multiplied by this. */
export const TEST_TIME_SCALE = 0.01;

export interface ProviderFixture {
  emulator: RunningEmulator;
  /** The account's token: random, so a leak can be searched for. */
  token: string;
  /** Five servers of the account. */
  serverIds: number[];
  /** A server of another account (its backups are invisible to `token`). */
  foreignServerId: number;
  /** A completed automatic backup of serverIds[0], seeded. */
  seededAutomaticBackupId: number;
  /** A completed backup of the foreign server. */
  foreignBackupId: number;
  stop(): Promise<void>;
}

/** Starts the emulator and configures the provider runtime with stack config pointing at it. */
export async function startProviderFixture(): Promise<ProviderFixture> {
  const suffix = randomBytes(6).toString("hex");
  const token = `canary-token-${randomBytes(12).toString("hex")}`;
  const firstServerId = randomInt(10_000, 90_000);
  const serverIds = [0, 1, 2, 3, 4].map((offset) => firstServerId + offset);
  const foreignServerId = firstServerId + 100;
  const seededAutomaticBackupId = randomInt(100, 400);
  const foreignBackupId = seededAutomaticBackupId + 1;
  const emulator = await startEmulator({
    timeScale: TEST_TIME_SCALE,
    autoBackupIntervalMs: 0,
    seed: {
      accounts: [
        {
          id: `provider-tests-${suffix}`,
          token,
          servers: serverIds.map((id, index) => ({
            id,
            name: `web-${suffix}-${index}`,
            disk_gb: 20,
            backups:
              index === 0
                ? [
                    {
                      id: seededAutomaticBackupId,
                      backup_type: "automatic" as const,
                      size_mb: 1200,
                      created_ago: "2h",
                      description: "Automatic daily backup",
                    },
                  ]
                : [],
          })),
        },
        {
          id: `other-${suffix}`,
          token: `other-token-${suffix}`,
          servers: [
            {
              id: foreignServerId,
              name: `foreign-${suffix}`,
              disk_gb: 20,
              backups: [
                {
                  id: foreignBackupId,
                  backup_type: "manual" as const,
                  size_mb: 10,
                  expires_at: null,
                },
              ],
            },
          ],
        },
      ],
    },
  });
  runtime.setSharedClientOptions({
    pollSchedule: () => TEST_POLL_INTERVAL_MS,
    retryBaseDelayMs: 10,
  });
  await configureStack({ "vps:apiUrl": emulator.url, "vps:apiToken": token });
  return {
    emulator,
    token,
    serverIds,
    foreignServerId,
    seededAutomaticBackupId,
    foreignBackupId,
    stop: () => emulator.stop(),
  };
}

/**
 * Calls the runtime's `configure` the way the dynamic provider host does: with the whole stack
 * config, where `get` prefixes keys without a namespace with the project name.
 */
export async function configureStack(
  rawConfig: Record<string, string>,
  projectName = "some-project",
): Promise<void> {
  await runtime.configure({
    config: {
      get: (key: string) => rawConfig[key.includes(":") ? key : `${projectName}:${key}`],
      require: (key: string) => {
        const value = rawConfig[key.includes(":") ? key : `${projectName}:${key}`];
        if (value === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return value;
      },
    },
  });
}

/** The backup as the emulator holds it now (in-process), or undefined. */
export function emulatedBackup(emulator: RunningEmulator, backupId: number) {
  emulator.state.tick();
  return emulator.state.backupById(backupId);
}
