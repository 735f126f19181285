/**
 * The native plugin from a TypeScript program: two explicit providers hold two accounts in one
 * program; a token never shows in the state, the CLI's most verbose output, or any log the
 * engine and the plugin write; a preview with unknown inputs changes nothing on the platform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunningEmulator } from "../../../emulator";
import type { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { freshAccount, inventoryBackups } from "../../support/emulator";
import {
  expectSuccess,
  mutatingCalls,
  nativeNodeStack,
  startLoggedEmulator,
} from "../../support/native-node";

jest.setTimeout(420_000);

// `--debug` shows what the plugins print on stderr, which the engine otherwise keeps back.
const DEBUG_FLAGS = ["-v=9", "--logflow", "--debug"];

/** Every regular file under `dir` (symlinks, such as the linked node_modules, are skipped). */
function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(full));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** The files under `dir` that hold `secret`, plain or base64. */
function filesHolding(dir: string, secret: string): string[] {
  const encoded = Buffer.from(secret).toString("base64");
  return filesUnder(dir).filter((file) => {
    const text = fs.readFileSync(file, "latin1");
    return text.includes(secret) || text.includes(encoded);
  });
}

describe("pulumi-resource-vps from a TypeScript program: accounts and tokens", () => {
  let emulator: RunningEmulator;
  let requestLog: string[];
  let stack: PulumiStack | undefined;

  beforeEach(async () => {
    ({ emulator, requestLog } = await startLoggedEmulator());
  });

  afterEach(async () => {
    if (stack) await stack.dispose();
    stack = undefined;
    await emulator.stop();
  });

  it("two explicit providers with two accounts' tokens: each backup lands in its own account", async () => {
    const accountA = freshAccount(emulator);
    const accountB = freshAccount(emulator);
    const demoBackups = inventoryBackups(emulator, "demo-account");
    stack = await nativeNodeStack({
      config: {
        mode: "accounts",
        apiUrl: emulator.url,
        "vps:apiUrl": emulator.url,
        accountAServerId: String(accountA.serverId),
        accountBServerId: String(accountB.serverId),
      },
      // The stack's own account is a decoy: the explicit providers must win over it.
      secretConfig: {
        "vps:apiToken": emulator.demoToken,
        accountAToken: accountA.token,
        accountBToken: accountB.token,
      },
    });
    expectSuccess("pulumi up", await stack.up());
    const outputs = await stack.outputs();
    expect(inventoryBackups(emulator, accountA.accountId)).toEqual([
      expect.objectContaining({ id: outputs.accountABackupId, serverId: accountA.serverId }),
    ]);
    expect(inventoryBackups(emulator, accountB.accountId)).toEqual([
      expect.objectContaining({ id: outputs.accountBBackupId, serverId: accountB.serverId }),
    ]);
    expect(inventoryBackups(emulator, "demo-account")).toEqual(demoBackups);
    const backups = await stack.resourcesOfType("ServerBackup");
    for (const name of ["accountA", "accountB"]) {
      const backup = backups.find((resource) => resource.urn.endsWith(`::${name}-backup`));
      expect(backup?.provider).toMatch(new RegExp(`::pulumi:providers:vps::${name}::`));
    }
    const { text } = await stack.exportState();
    expect(text).not.toContain(accountA.token);
    expect(text).not.toContain(accountB.token);

    expectSuccess("pulumi destroy", await stack.destroy());
    expect(inventoryBackups(emulator, accountA.accountId)).toEqual([]);
    expect(inventoryBackups(emulator, accountB.accountId)).toEqual([]);
  });

  it("a canary token never shows in the state, the verbose CLI output or any log", async () => {
    const canary = freshAccount(emulator);
    const other = freshAccount(emulator);
    const current = await nativeNodeStack({
      config: {
        "vps:apiUrl": emulator.url,
        apiUrl: emulator.url,
        serverId: String(canary.serverId),
        accountAServerId: String(canary.serverId),
        accountBServerId: String(other.serverId),
      },
      secretConfig: {
        "vps:apiToken": canary.token,
        accountAToken: canary.token,
        accountBToken: other.token,
      },
    });
    stack = current;
    // Without --logtostderr the engine and the plugins write their logs as files in TMPDIR.
    const logDir = path.join(current.workDir, "logs");
    fs.mkdirSync(logDir);
    const fileLogs = { env: { TMPDIR: logDir } };
    const outputs: string[] = [];

    // The default provider (stack config), then an explicit one (Configure args), then destroy.
    const single = await current.run(
      ["up", "--yes", "--non-interactive", ...DEBUG_FLAGS, "--logtostderr"],
      {},
    );
    expectSuccess("pulumi up (default provider)", single);
    outputs.push(single.output);
    await current.setConfig("mode", "accounts");
    const accounts = await current.run(
      ["up", "--yes", "--non-interactive", "--skip-preview", ...DEBUG_FLAGS],
      fileLogs,
    );
    expectSuccess("pulumi up (explicit providers)", accounts);
    outputs.push(accounts.output);
    expect(inventoryBackups(emulator, canary.accountId)).toHaveLength(1);
    const { text } = await current.exportState();
    const destroy = await current.run(
      ["destroy", "--yes", "--non-interactive", "--skip-preview", ...DEBUG_FLAGS, "--logtostderr"],
      {},
    );
    expectSuccess("pulumi destroy", destroy);
    outputs.push(destroy.output);

    expect(outputs.join("\n")).toContain("Configure"); // the verbose output is really there
    expect(filesUnder(logDir).length).toBeGreaterThan(0);
    expect(text).not.toContain(canary.token);
    for (const output of outputs) expect(output).not.toContain(canary.token);
    // PULUMI_HOME, the state backend (history included), the log files, the project.
    expect(filesHolding(current.workDir, canary.token)).toEqual([]);
  });

  it("a preview with unknown inputs makes no POST or DELETE", async () => {
    const account = freshAccount(emulator);
    stack = await nativeNodeStack({
      config: {
        mode: "chain",
        "vps:apiUrl": emulator.url,
        serverId: String(account.serverId),
        trigger: "v1",
      },
      secretConfig: { "vps:apiToken": account.token },
    });
    // A new stack: the second backup's serverId waits on the first one's backupId.
    const fresh = await stack.preview();
    expectSuccess("pulumi preview (new stack)", fresh);
    expect(fresh.output).toMatch(/\+ 3 to create/);
    expect(mutatingCalls(requestLog)).toEqual([]);

    expectSuccess("pulumi up", await stack.up());
    expect(inventoryBackups(emulator, account.accountId)).toHaveLength(2);
    // Replacing the first backup makes the second one's serverId unknown again.
    await stack.setConfig("trigger", "v2");
    const previewFrom = requestLog.length;
    const replacing = await stack.preview();
    expectSuccess("pulumi preview (replacement)", replacing);
    expect(replacing.output).toMatch(/2 to replace/);
    expect(mutatingCalls(requestLog.slice(previewFrom))).toEqual([]);
    expectSuccess("pulumi destroy", await stack.destroy());
  });
});
