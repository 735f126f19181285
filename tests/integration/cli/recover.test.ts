/**
 * `vps-backups recover` against the emulator and a stand-in `pulumi` (fake-pulumi/pulumi,
 * first on PATH) holding a stack as a killed `pulumi up` leaves it: a lock, pending creates
 * of ServerBackups, and the backups those creates made. The real engine runs the same
 * command in tests/e2e/reliability/interrupted-up.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { cliEnv, runCli } from "./support";

jest.setTimeout(60_000);

const TYPE = "pulumi-nodejs:dynamic/vps:ServerBackup";
const urn = (name: string) => `urn:pulumi:dev::proj::${TYPE}::${name}`;

let emulator: RunningEmulator;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  emulator = await startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-recover-"));
  env = cliEnv({
    VPS_API_URL: emulator.url,
    VPS_API_TOKEN: emulator.demoToken,
    FAKE_PULUMI_DIR: dir,
    PATH: `${path.join(__dirname, "fake-pulumi")}${path.delimiter}${process.env.PATH}`,
  });
});

afterEach(async () => {
  await emulator.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the stack: resources, pending creates, and a lock taken at `lockedAtMs` by a dead process. */
function writeStack(options: {
  recorded: { name: string; id: number; serverId: number; description: string }[];
  pending: { name: string; serverId: number; description: string; adoptBackupId?: number }[];
  lockedAtMs: number;
}) {
  const resource = (name: string, inputs: Record<string, unknown>, id?: number) => ({
    urn: urn(name),
    type: TYPE,
    custom: true,
    ...(id !== undefined ? { id: String(id) } : {}),
    inputs: { __provider: "stub", ...inputs },
  });
  const state = {
    version: 3,
    deployment: {
      manifest: { time: new Date().toISOString() },
      resources: [
        { urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", type: "pulumi:pulumi:Stack" },
        ...options.recorded.map((r) =>
          resource(r.name, { serverId: r.serverId, description: r.description }, r.id),
        ),
      ],
      pending_operations: options.pending.map((p) => ({
        type: "creating",
        resource: resource(p.name, {
          serverId: p.serverId,
          description: p.description,
          ...(p.adoptBackupId ? { adoptBackupId: p.adoptBackupId } : {}),
        }),
      })),
    },
  };
  fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
  const locks = path.join(dir, "backend", ".pulumi", "locks", "organization", "proj", "dev");
  fs.mkdirSync(locks, { recursive: true });
  fs.writeFileSync(
    path.join(locks, "lock.json"),
    JSON.stringify({
      pid: 999_999_999,
      username: "ci",
      hostname: "a-runner-that-died",
      timestamp: new Date(options.lockedAtMs).toISOString(),
    }),
  );
}

function state(): { deployment: { pending_operations: unknown[] } } {
  return JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
}

function calls(): string[] {
  return fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n");
}

function make(serverId: number, description: string) {
  const server = emulator.state.serverById(serverId);
  if (!server) throw new Error(`no server ${serverId}`);
  return emulator.state.createManualBackup(server, description);
}

test("plans, then with --yes deletes the orphans, unlocks, drops the pending creates and refreshes", async () => {
  const old = make(12345, "app backup-0");
  const lockedAtMs = Date.now() - 1_000;
  const orphan = make(12345, "app backup-0");
  const other = make(12346, "app backup-1");
  const adopted = make(12346, "app backup-2");
  const unrelated = make(12346, "someone else's");
  writeStack({
    recorded: [{ name: "backup-0", id: old.id, serverId: 12345, description: "app backup-0" }],
    pending: [
      { name: "backup-0", serverId: 12345, description: "app backup-0" },
      { name: "backup-1", serverId: 12346, description: "app backup-1" },
      { name: "backup-2", serverId: 12346, description: "app backup-2", adoptBackupId: adopted.id },
    ],
    lockedAtMs,
  });

  const plan = await runCli(["recover", "--cwd", dir, "--stack", "dev"], { env });
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(/^PENDING CREATE\s+SERVER\s+DESCRIPTION\s+BACKUPS/m);
  expect(plan.stdout).toMatch(new RegExp(`backup-0\\s+12345\\s+app backup-0\\s+${orphan.id}\\b`));
  expect(plan.stdout).toMatch(new RegExp(`adopts backup ${adopted.id}: it made none`));
  expect(plan.stderr).toMatch(/run again with --yes/);
  expect(calls()).not.toContain("cancel --yes --stack dev");
  expect(emulator.state.backupById(orphan.id)).toBeDefined();

  const applied = await runCli(["recover", "--cwd", dir, "--stack", "dev", "--yes", "-o", "json"], {
    env,
  });
  expect(applied.code).toBe(0);
  const report = JSON.parse(applied.stdout);
  expect(report).toMatchObject({
    applied: true,
    lockRemoved: true,
    windowSource: "lock",
    toDelete: [orphan.id, other.id].sort((a, b) => a - b),
    deleted: [orphan.id, other.id].sort((a, b) => a - b),
    ambiguous: [],
    duplicates: 0,
    pendingOperationsCleared: 3,
    refreshed: true,
  });
  expect(emulator.state.backupById(orphan.id)).toBeUndefined();
  expect(emulator.state.backupById(other.id)).toBeUndefined();
  for (const kept of [old, adopted, unrelated]) {
    expect(emulator.state.backupById(kept.id)).toBeDefined();
  }
  expect(state().deployment.pending_operations).toEqual([]);
  expect(calls()).toEqual(
    expect.arrayContaining([
      "cancel --yes --stack dev",
      "refresh --yes --skip-preview --non-interactive --stack dev",
    ]),
  );
});

test("a backup from just before the run began is ambiguous: --yes refuses until --delete-ambiguous", async () => {
  const early = make(12345, "app backup-0");
  writeStack({
    recorded: [],
    pending: [{ name: "backup-0", serverId: 12345, description: "app backup-0" }],
    lockedAtMs: Date.now() + 10_000,
  });
  const refused = await runCli(["recover", "--cwd", dir, "--stack", "dev", "--yes"], { env });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(
    new RegExp(`backups ${early.id} may have been made by the killed run`),
  );
  expect(emulator.state.backupById(early.id)).toBeDefined();
  expect(state().deployment.pending_operations).toHaveLength(1);

  const forced = await runCli(
    ["recover", "--cwd", dir, "--stack", "dev", "--yes", "--delete-ambiguous", "-o", "json"],
    { env },
  );
  expect(forced.code).toBe(0);
  expect(JSON.parse(forced.stdout)).toMatchObject({ ambiguous: [early.id], deleted: [early.id] });
  expect(emulator.state.backupById(early.id)).toBeUndefined();
});

test("an unlocked stack without pending operations needs nothing", async () => {
  fs.writeFileSync(
    path.join(dir, "state.json"),
    JSON.stringify({ version: 3, deployment: { resources: [] } }),
  );
  const result = await runCli(["recover", "--cwd", dir, "--stack", "dev", "--yes"], { env });
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/Nothing to recover/);
  expect(emulator.requests.count()).toBe(0);
});
