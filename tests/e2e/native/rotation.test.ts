/**
 * Rotating the API token and moving the API URL, as docs/provider.md#rotating-the-token-or-moving-the-url
 * says, for both providers: the dynamic one (examples/quickstart, TypeScript) and the native
 * plugin (examples/yaml-quickstart, Pulumi YAML). Refresh and destroy do not run the program by
 * default, so the engine configures the provider from the config recorded at the last `up`:
 * after a rotation they must run with `--run-program` (or after one `pulumi up`).
 *
 * The old token is revoked on the emulator before the new one is set: every request made with
 * it would answer 401, so "no 401 after the rotation" means it was never used again. A moved
 * URL is a second emulator holding the same data (a copy of the first one's data file): the
 * first one must see no request after the move.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { expectSuccess } from "../../support/pulumi-run";

jest.setTimeout(1_200_000);

const NEW_TOKEN = "rotated-api-token-7f3c9a1e52";

/** The two providers, each with the example that uses it. */
const PROVIDERS = [
  { provider: "dynamic", example: "quickstart", backupIdOutput: "backupId" },
  { provider: "native", example: "yaml-quickstart", backupIdOutput: "backupId" },
] as const;

/** Every backup id the emulator holds now. */
function backupIds(emulator: RunningEmulator): number[] {
  return emulator.state
    .inventory()
    .accounts.flatMap((account) => account.servers)
    .flatMap((server) => server.backups)
    .map((backup) => backup.id)
    .sort((a, b) => a - b);
}

function writes(emulator: RunningEmulator): number {
  return (
    emulator.requests.count({ method: "POST" }) + emulator.requests.count({ method: "DELETE" })
  );
}

/** Revokes the account's token and gives it `next` instead, as a platform's rotation does. */
function rotateToken(emulator: RunningEmulator, current: string, next: string): void {
  const account = emulator.state.accounts().find((candidate) => candidate.token === current);
  if (!account) throw new Error("no account holds the token to rotate");
  account.token = next;
}

/**
 * Copies the data file of a running emulator. It is a SQLite database in WAL mode: the latest
 * writes sit in `<file>-wal` until a checkpoint, so a copy takes that file too (nothing writes
 * while the test copies).
 */
function copyLiveDataFile(from: string, to: string): void {
  fs.copyFileSync(from, to);
  if (fs.existsSync(`${from}-wal`)) fs.copyFileSync(`${from}-wal`, `${to}-wal`);
}

describe.each(PROVIDERS)("credentials of the $provider provider", ({ example, backupIdOutput }) => {
  const emulators: RunningEmulator[] = [];
  let stack: PulumiStack | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    try {
      if (stack) await stack.dispose();
    } finally {
      stack = undefined;
      await Promise.all(emulators.splice(0).map((emulator) => emulator.stop()));
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      dataDir = undefined;
    }
  });

  async function emulator(dataFile?: string): Promise<RunningEmulator> {
    const started = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0, dataFile });
    emulators.push(started);
    return started;
  }

  async function deployedStack(api: RunningEmulator): Promise<{
    current: PulumiStack;
    backupId: number;
  }> {
    stack = await PulumiStack.create({
      example,
      config: { "vps:apiUrl": api.url },
      secretConfig: { "vps:apiToken": api.demoToken },
    });
    expectSuccess("pulumi up", await stack.up());
    const backupId = Number((await stack.outputs())[backupIdOutput]);
    expect(backupIds(api)).toContain(backupId);
    return { current: stack, backupId };
  }

  it("a rotated token: refresh --run-program, up and destroy use the new one only", async () => {
    const api = await emulator();
    const { current, backupId } = await deployedStack(api);

    rotateToken(api, api.demoToken, NEW_TOKEN);
    await current.setConfig("vps:apiToken", NEW_TOKEN, { secret: true });
    api.requests.clear();

    expectSuccess("pulumi refresh --run-program", await current.refresh(["--run-program"]));
    expect((await current.resourcesOfType("ServerBackup")).map((r) => r.id)).toEqual([
      String(backupId),
    ]);
    // `up` records the new config for later runs, and a new token changes no backup.
    expectSuccess("pulumi up", await current.up());
    expect(writes(api)).toBe(0);
    expect(backupIds(api)).toContain(backupId);

    const exported = (await current.exportState()).text;
    expect(exported).not.toContain(NEW_TOKEN);
    expect(exported).not.toContain(api.demoToken);

    // After that `up`, a plain destroy (no program run) configures the provider with the new token.
    expectSuccess("pulumi destroy", await current.destroy());
    expect(backupIds(api)).not.toContain(backupId);
    expect(api.requests.count({ status: 401 })).toBe(0);
    expect(api.requests.count()).toBeGreaterThan(0);
  });

  it("a moved API URL: refresh and destroy --run-program reach the new URL only", async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-rotation-"));
    const oldDataFile = path.join(dataDir, "old.json");
    const oldApi = await emulator(oldDataFile);
    const { current, backupId } = await deployedStack(oldApi);

    // The platform moves: the new address serves the same data.
    const newDataFile = path.join(dataDir, "new.json");
    copyLiveDataFile(oldDataFile, newDataFile);
    const newApi = await emulator(newDataFile);
    expect(backupIds(newApi)).toContain(backupId);
    await current.setConfig("vps:apiUrl", newApi.url);
    oldApi.requests.clear();

    expectSuccess("pulumi refresh --run-program", await current.refresh(["--run-program"]));
    expectSuccess("pulumi destroy --run-program", await current.destroy(["--run-program"]));

    expect(backupIds(newApi)).not.toContain(backupId);
    expect(newApi.requests.count({ method: "DELETE" })).toBe(1);
    expect(oldApi.requests.count()).toBe(0);
    expect(backupIds(oldApi)).toContain(backupId);
  });
});
