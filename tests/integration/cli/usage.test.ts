/**
 * Usage errors of `vps-backups`: a bad flag, a bad id, a missing argument or credential, a
 * destructive command without `--yes` and without a terminal. Each exits 2 with a clear
 * message and the usage line, and sends no request at all.
 */
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { cliEnv, runCli } from "./support";

jest.setTimeout(60_000);

let emulator: RunningEmulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 0.01, autoBackupIntervalMs: 0 });
  env = cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: emulator.demoToken });
});

afterAll(async () => {
  await emulator.stop();
});

const cases: [string, string[], RegExp, RegExp][] = [
  ["no command", [], /missing command|Usage/, /Usage: vps-backups /],
  ["an unknown command", ["backup"], /unknown command 'backup'/, /Usage: vps-backups /],
  ["an unknown flag", ["list", "--colour"], /unknown option '--colour'/, /Usage: vps-backups list/],
  ["a bad output format", ["servers", "-o", "yaml"], /yaml.*invalid|Allowed choices/i, /Usage:/],
  [
    "a server id that is text",
    ["list", "--server", "web"],
    /--server must be a positive whole number/,
    /Usage: vps-backups list/,
  ],
  [
    "a negative server id",
    ["create", "--server", "-5"],
    /--server|positive whole number/,
    /Usage: vps-backups create/,
  ],
  [
    "a backup id of zero",
    ["wait", "0", "--server", "12345"],
    /backup id must be a positive whole number/,
    /Usage: vps-backups wait/,
  ],
  [
    "a fractional backup id",
    ["delete", "501.5", "--yes"],
    /backup id must be a positive whole number/,
    /Usage: vps-backups delete/,
  ],
  [
    "an id too large",
    ["delete", "99999999999999999999", "--yes"],
    /positive whole number/,
    /Usage: vps-backups delete/,
  ],
  [
    "a bad type",
    ["list", "--type", "weekly"],
    /--type must be manual or automatic/,
    /Usage: vps-backups list/,
  ],
  [
    "a bad status",
    ["list", "--status", "done"],
    /--status must be in_progress, completed, failed/,
    /Usage: vps-backups list/,
  ],
  [
    "a bad timeout",
    ["create", "--server", "12345", "--wait", "--timeout", "soon"],
    /--timeout must be a duration/,
    /Usage: vps-backups create/,
  ],
  [
    "create without --server",
    ["create"],
    /required option '--server <id>'/,
    /Usage: vps-backups create/,
  ],
  [
    "delete without ids",
    ["delete", "--yes"],
    /missing required argument/,
    /Usage: vps-backups delete/,
  ],
  [
    "wait without --server",
    ["wait", "501"],
    /required option '--server <id>'/,
    /Usage: vps-backups wait/,
  ],
  [
    "restore without --backup",
    ["restore", "--server", "12345", "--yes"],
    /required option '--backup/,
    /Usage: vps-backups restore/,
  ],
  [
    "restore from a bad backup id",
    ["restore", "--server", "12345", "--backup", "newest", "--yes"],
    /--backup must be a positive whole number/,
    /Usage: vps-backups restore/,
  ],
  [
    "a description over 255 characters",
    ["create", "--server", "12345", "--description", "x".repeat(256)],
    /description must be at most 255 characters/,
    /.*/,
  ],
  [
    "delete without --yes and no terminal",
    ["delete", "501"],
    /refusing to delete backup 501 .*--yes/,
    /.*/,
  ],
];

test.each(cases)("%s: exit 2, a clear message, no request", async (_name, args, message, usage) => {
  const before = emulator.requests.count();
  const result = await runCli(args, { env });
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: "" });
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toMatch(usage);
  expect(emulator.requests.count()).toBe(before);
});

test("no token: exit 2 naming VPS_API_TOKEN, no request", async () => {
  const before = emulator.requests.count();
  const result = await runCli(["servers"], {
    env: cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: undefined }),
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/no API token: set VPS_API_TOKEN/);
  expect(emulator.requests.count()).toBe(before);
});

test("--help exits 0 and lists every command on stdout", async () => {
  const result = await runCli(["--help"], { env });
  expect(result.code).toBe(0);
  for (const command of ["servers", "list", "create", "delete", "wait", "restore", "recover"]) {
    expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  }
});
