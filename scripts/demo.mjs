#!/usr/bin/env node
// `npm run demo`: the repository's own stack (Pulumi.yaml → examples/quickstart) against the
// embedded emulator, offline: pulumi up, a readable summary of the outputs, pulumi refresh,
// pulumi destroy. The quick start never restores; the demo then runs the restore drill
// (examples/restore) as a stack of its own, with its opt-in set explicitly, and destroys it.
// The emulator stops and nothing is left behind.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import engine from "../tools/pulumi-engine/engine.cjs";

const root = engine.REPO_ROOT;
const require = createRequire(import.meta.url);
const STACK = "demo";
const DRILL_STACK = "demo-restore-drill";
const DEMO_SERVER_ID = "12345";

function say(line = "") {
  process.stdout.write(`${line}\n`);
}
function heading(text) {
  say(`\n\u2500\u2500 ${text} ${"\u2500".repeat(Math.max(0, 70 - text.length))}`);
}

if (Number(process.versions.node.split(".")[0]) < 22) {
  console.error(
    `The demo needs Node >= 22 (found ${process.version}); run it as \`npm run demo\`.`,
  );
  process.exit(1);
}

heading("1/7 build and engine");
const build = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", ".bin", "tsc"), "-p", "tsconfig.build.json"],
  {
    cwd: root,
    stdio: "inherit",
  },
);
if (build.status !== 0) process.exit(1);
let engineDir;
try {
  engineDir = engine.ensurePulumi({ log: say });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
say(`Pulumi engine: ${engineDir}`);

const { startEmulator } = require(path.join(root, "dist", "emulator"));
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-demo-"));
// `pulumi stack init` writes the stack's config file beside Pulumi.yaml; the demo removes it.
const configFile = path.join(root, `Pulumi.${STACK}.yaml`);
if (fs.existsSync(configFile)) {
  console.error(
    `${configFile} exists: remove it (or rename your own "${STACK}" stack's config) and run the demo again.`,
  );
  process.exit(1);
}
const env = engine.pulumiEnv({ engineDir, workDir });
let emulator;
let exitCode = 0;
const RESTORE_ROUTE = "/servers/{serverId}/restore/";

async function pulumi(args, { quiet = false, cwd = root } = {}) {
  say(`$ pulumi ${args.join(" ")}`);
  const result = await engine.runPulumi(args, {
    cwd,
    env,
    onOutput: quiet ? undefined : (text) => process.stdout.write(text),
  });
  if (result.code !== 0) {
    if (quiet) process.stdout.write(result.stdout + result.stderr);
    throw new Error(`pulumi ${args[0]} failed (exit ${result.code})`);
  }
  return result;
}

async function inventorySnapshot() {
  // Automatic backups come and go on the platform's own schedule: compare the rest.
  const inventory = emulator.state.inventory();
  return JSON.stringify(
    inventory.accounts.flatMap((account) =>
      account.servers.flatMap((server) =>
        server.backups
          .filter((b) => b.backup_type !== "automatic")
          .map((b) => `${account.id}/${server.id}/${b.id}`),
      ),
    ),
  );
}

try {
  heading("2/7 emulator");
  // Backups take a few seconds here (timeScale), so the demo is quick but shows the waiting.
  emulator = await startEmulator({ timeScale: 0.5, log: false });
  say(`Emulator of the Backups API at ${emulator.url} (demo token ${emulator.demoToken})`);
  const before = await inventorySnapshot();

  heading("3/7 pulumi up");
  await pulumi(["stack", "init", STACK, "--non-interactive"], { quiet: true });
  await pulumi(["config", "set", "vps:apiUrl", emulator.url], { quiet: true });
  await pulumi(["config", "set", "--secret", "vps:apiToken", emulator.demoToken], { quiet: true });
  await pulumi(["config", "set", "appVersion", "1.0.0"], { quiet: true });
  await pulumi(["up", "--yes", "--non-interactive"]);

  heading("4/7 what the stack holds");
  const outputs = JSON.parse((await pulumi(["stack", "output", "--json"], { quiet: true })).stdout);
  say(
    `Server ${outputs.serverName}: backup ${outputs.backupId} is ${outputs.backupStatus} (${outputs.backupSizeMb} MB).`,
  );
  say(
    `The server now has ${outputs.backupCount} backups: ${(outputs.backupIds ?? []).join(", ")}.`,
  );
  const exported = (await pulumi(["stack", "export"], { quiet: true })).stdout;
  say(
    `The API token appears in the stack's state: ${exported.includes(emulator.demoToken) ? "YES (bug!)" : "no"}.`,
  );

  heading("5/7 pulumi refresh (after deleting the backup out of band)");
  emulator.state.deleteOutOfBand(outputs.backupId);
  say(`Deleted backup ${outputs.backupId} behind Pulumi's back; refresh notices:`);
  await pulumi(["refresh", "--yes", "--non-interactive", "--skip-preview"]);

  heading("6/7 pulumi destroy");
  await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
  await pulumi(["stack", "rm", "--yes", STACK], { quiet: true });
  const afterQuickStart = await inventorySnapshot();
  const quickStartRestores = emulator.requests.count({ method: "POST", route: RESTORE_ROUTE });
  say(`Restores requested by the quick start: ${quickStartRestores} (it never restores).`);
  if (quickStartRestores !== 0) exitCode = 1;

  heading("7/7 the restore drill (examples/restore, opted in explicitly)");
  // A stack of its own, in a copy of the example (its config file stays out of the repository).
  const drillDir = path.join(workDir, "restore-drill");
  fs.cpSync(path.join(root, "examples", "restore"), drillDir, {
    recursive: true,
    filter: (source) => !source.includes("node_modules"),
  });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(drillDir, "node_modules"));
  const drill = { cwd: drillDir };
  await pulumi(["stack", "init", DRILL_STACK, "--non-interactive"], { ...drill, quiet: true });
  await pulumi(["config", "set", "vps:apiUrl", emulator.url], { ...drill, quiet: true });
  await pulumi(["config", "set", "--secret", "vps:apiToken", emulator.demoToken], {
    ...drill,
    quiet: true,
  });
  // The opt-in: without restoreServerId the example restores nothing.
  await pulumi(["config", "set", "restoreServerId", DEMO_SERVER_ID], { ...drill, quiet: true });
  await pulumi(["up", "--yes", "--non-interactive"], drill);
  const drilled = JSON.parse(
    (await pulumi(["stack", "output", "--json"], { ...drill, quiet: true })).stdout,
  );
  say(
    `Server ${drilled.restoredServerId} restored from its backup ${drilled.restoredFromBackupId}.`,
  );
  await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"], drill);
  await pulumi(["stack", "rm", "--yes", DRILL_STACK], { ...drill, quiet: true });

  const after = await inventorySnapshot();
  const clean = before === afterQuickStart && before === after;
  say(`Emulator inventory back to what it was before the stacks: ${clean ? "yes" : "NO"}.`);
  if (!clean) exitCode = 1;
  say(
    "\nDemo finished. To run the quick start (a backup, never a restore) against a real platform:",
  );
  say("  pulumi config set vps:apiUrl https://admin.vps.org/api/v1");
  say("  pulumi config set --secret vps:apiToken <your token>");
} catch (error) {
  console.error(`\nDemo failed: ${error.message}`);
  exitCode = 1;
} finally {
  if (emulator) await emulator.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.rmSync(configFile, { force: true });
}
process.exit(exitCode);
