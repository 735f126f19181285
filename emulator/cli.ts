#!/usr/bin/env node
/**
 * `vps-emulator`: runs the Backups API emulator until Ctrl-C. Flags in the README ("The local emulator") and
 * `vps-emulator --help`.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { FaultConfigSchema } from "./faults";
import { DEMO_TOKEN, OTHER_ACCOUNT_TOKEN } from "./seed";
import { type EmulatorOptions, startEmulator } from "./index";

const HELP = `Usage: vps-emulator [options]

Runs a local emulator of the VPS Backups API (http://HOST:PORT/api/v1).

  --port N                    TCP port (default 8080; 0 picks a free one)
  --host ADDRESS              interface to listen on (default 127.0.0.1)
  --seed FILE                 seed file (JSON) instead of the demo seed
  --data FILE                 keep the state in FILE across restarts (default in memory)
  --time-scale N              multiply backup/restore durations by N (default 1)
  --backup-base-ms N          fixed part of a backup's duration, ms (default 2000)
  --backup-per-gb-ms N        per-GB part of a backup's duration, ms (default 50)
  --restore-base-ms N         fixed part of a restore's duration, ms (default 3000)
  --restore-per-gb-ms N       per-GB part of a restore's duration, ms (default 50)
  --failure-rate F            fraction 0..1 of backups that fail (default 0)
  --auto-backup-interval-ms N virtual ms between automatic backups, 0 = off (default 86400000)
  --random-seed N             seed of failures, sizes and faults (default 1)
  --admin-token TOKEN         token of the control endpoint (default random, printed)
  --faults JSON|@FILE         initial faults, e.g. '{"latencyMs":200,"errorRate":0.1}'
  --log                       print one line per request (never a token)
  --help                      this text
`;

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) {
    throw new Error(`--${name} must be a number, got "${value}"`);
  }
  return parsed;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      data: { type: "string" },
      "time-scale": { type: "string" },
      "backup-base-ms": { type: "string" },
      "backup-per-gb-ms": { type: "string" },
      "restore-base-ms": { type: "string" },
      "restore-per-gb-ms": { type: "string" },
      "failure-rate": { type: "string" },
      "auto-backup-interval-ms": { type: "string" },
      "random-seed": { type: "string" },
      "admin-token": { type: "string" },
      faults: { type: "string" },
      log: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  let faults: EmulatorOptions["faults"];
  if (values.faults !== undefined) {
    const text = values.faults.startsWith("@")
      ? readFileSync(values.faults.slice(1), "utf8")
      : values.faults;
    faults = FaultConfigSchema.parse(JSON.parse(text));
  }
  const options: EmulatorOptions = {
    port: numberFlag("port", values.port) ?? 8080,
    host: values.host ?? "127.0.0.1",
    seed: values.seed,
    dataFile: values.data,
    timeScale: numberFlag("time-scale", values["time-scale"]),
    backupBaseMs: numberFlag("backup-base-ms", values["backup-base-ms"]),
    backupPerGbMs: numberFlag("backup-per-gb-ms", values["backup-per-gb-ms"]),
    restoreBaseMs: numberFlag("restore-base-ms", values["restore-base-ms"]),
    restorePerGbMs: numberFlag("restore-per-gb-ms", values["restore-per-gb-ms"]),
    failureRate: numberFlag("failure-rate", values["failure-rate"]),
    autoBackupIntervalMs: numberFlag("auto-backup-interval-ms", values["auto-backup-interval-ms"]),
    randomSeed: numberFlag("random-seed", values["random-seed"]),
    adminToken: values["admin-token"],
    faults,
    log: values.log === true,
  };
  startEmulator(options).then(
    (emulator) => {
      const lines = [
        `VPS Backups API emulator listening on ${emulator.url}`,
        `  base URL:     ${emulator.url}`,
        values.seed
          ? `  tokens:       as in the seed file ${values.seed}`
          : `  demo token:   ${DEMO_TOKEN}   (second account: ${OTHER_ACCOUNT_TOKEN})`,
        `  admin token:  ${emulator.adminToken}   (header X-Emulator-Admin-Token, for ${emulator.origin}/_emulator/)`,
      ];
      if (!values.seed) {
        lines.push(
          `  try:          curl -H "Authorization: Bearer ${DEMO_TOKEN}" "${emulator.url}/backups/?server_id=12345"`,
        );
      }
      process.stdout.write(`${lines.join("\n")}\n`);
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        emulator.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    },
    (error: Error) => {
      process.stderr.write(`vps-emulator: ${error.message}\n`);
      process.exit(1);
    },
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`vps-emulator: ${(error as Error).message}\n${HELP}`);
  process.exit(2);
}
