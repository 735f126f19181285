#!/usr/bin/env node
// `npm run demo`: the repository's own stack (Pulumi.yaml → examples/quickstart) against the
// embedded emulator, offline: pulumi up, a readable summary of the outputs, pulumi refresh,
// pulumi destroy; then the emulator stops and nothing is left behind.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import engine from "../tools/pulumi-engine/engine.cjs";

const root = engine.REPO_ROOT;
const require = createRequire(import.meta.url);
const STACK = "demo";

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

heading("1/6 build and engine");
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

async function pulumi(args, { quiet = false } = {}) {
  say(`$ pulumi ${args.join(" ")}`);
  const result = await engine.runPulumi(args, {
    cwd: root,
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
  heading("2/6 emulator");
  // Backups take a few seconds here (timeScale), so the demo is quick but shows the waiting.
  emulator = await startEmulator({ timeScale: 0.5, log: false });
  say(`Emulator of the Backups API at ${emulator.url} (demo token ${emulator.demoToken})`);
  const before = await inventorySnapshot();

  heading("3/6 pulumi up");
  await pulumi(["stack", "init", STACK, "--non-interactive"], { quiet: true });
  await pulumi(["config", "set", "vps:apiUrl", emulator.url], { quiet: true });
  await pulumi(["config", "set", "--secret", "vps:apiToken", emulator.demoToken], { quiet: true });
  await pulumi(["config", "set", "appVersion", "1.0.0"], { quiet: true });
  await pulumi(["up", "--yes", "--non-interactive"]);

  heading("4/6 what the stack holds");
  const outputs = JSON.parse((await pulumi(["stack", "output", "--json"], { quiet: true })).stdout);
  say(
    `Server ${outputs.serverName}: backup ${outputs.backupId} is ${outputs.backupStatus} (${outputs.backupSizeMb} MB).`,
  );
  say(
    `The server now has ${outputs.backupCount} backups: ${(outputs.backupIds ?? []).join(", ")}.`,
  );
  say(`Declarative restore: server restored from backup ${outputs.restoredFrom}.`);
  const exported = (await pulumi(["stack", "export"], { quiet: true })).stdout;
  say(
    `The API token appears in the stack's state: ${exported.includes(emulator.demoToken) ? "YES (bug!)" : "no"}.`,
  );

  heading("5/6 pulumi refresh (after deleting the backup out of band)");
  emulator.state.deleteOutOfBand(outputs.backupId);
  say(`Deleted backup ${outputs.backupId} behind Pulumi's back; refresh notices:`);
  await pulumi(["refresh", "--yes", "--non-interactive", "--skip-preview"]);

  heading("6/6 pulumi destroy");
  await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
  await pulumi(["stack", "rm", "--yes", STACK], { quiet: true });
  const after = await inventorySnapshot();
  say(
    `Emulator inventory back to what it was before the stack: ${before === after ? "yes" : "NO"}.`,
  );
  if (before !== after) exitCode = 1;
  say("\nDemo finished. To run the same stack against a real platform:");
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
