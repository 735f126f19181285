/**
 * The progress display in a real pseudo-terminal (util-linux `script` gives the command a
 * terminal on stdin, stdout and stderr): a spinner line redrawn in place with the backup id,
 * its status and the time waited; colours off with NO_COLOR. Also the confirmation prompt of
 * a destructive command, answered on the terminal.
 */
import { spawn, spawnSync } from "node:child_process";
import { type RunningEmulator, startEmulator } from "../../../emulator";
import { CLI_MAIN, REGISTER_TS, REPO_ROOT, cliEnv } from "./support";

jest.setTimeout(90_000);

/** A foreground colour escape sequence (ESC [ 3x m). */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[3\\dm`);

const hasScript = spawnSync("script", ["--version"]).status === 0;
const maybe = hasScript ? test : test.skip;

let emulator: RunningEmulator;

beforeAll(async () => {
  // Backups of ~1.2 s: long enough for the spinner to turn a few times.
  emulator = await startEmulator({ timeScale: 0.2, autoBackupIntervalMs: 0 });
});

afterAll(async () => {
  await emulator.stop();
});

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs the command under `script -qfec`, typing `input` on the terminal; resolves with what the terminal showed. */
function runInTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  input = "",
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, "-r", REGISTER_TS, CLI_MAIN, ...args]
    .map(shellQuote)
    .join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...env, TERM: "xterm" },
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  let answered = input === "";
  child.stdout.on("data", (chunk) => {
    screen += chunk;
    // Answer the prompt once it is shown (the event, not a delay).
    if (!answered && screen.includes("Continue? [y/N]")) {
      answered = true;
      child.stdin.write(input);
    }
  });
  child.stderr.on("data", (chunk) => (screen += chunk));
  const budget = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(budget);
      resolve({ code, screen });
    });
  });
}

maybe("create --wait shows a spinner with the backup id, status and elapsed time", async () => {
  const env = cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: emulator.demoToken });
  const { code, screen } = await runInTerminal(
    ["create", "--server", "12345", "--description", "tty", "--wait"],
    env,
  );
  expect(code).toBe(0);
  const id = /Backup (\d+) of server 12345 started/.exec(screen)?.[1];
  expect(id).toBeDefined();
  // Redrawn in place: the cursor goes back to column 1 and the line is erased.
  expect(screen).toContain("\u001b[2K\u001b[1G");
  expect(screen).toMatch(new RegExp(`backup ${id} of server 12345: in_progress \\(\\d+s\\)`));
  expect(screen).toMatch(new RegExp(`backup ${id} of server 12345: completed \\(\\d+s\\)`));
  // No plain timestamped lines on a terminal.
  expect(screen).not.toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z backup/m);
  // Colour is on (the spinner frame is coloured).
  expect(screen).toMatch(COLOUR);
  expect(screen).not.toContain(emulator.demoToken);
});

maybe("NO_COLOR turns the colours off but keeps the spinner", async () => {
  const env = cliEnv({
    VPS_API_URL: emulator.url,
    VPS_API_TOKEN: emulator.demoToken,
    NO_COLOR: "1",
  });
  const { code, screen } = await runInTerminal(
    ["create", "--server", "12346", "--description", "tty no colour", "--wait"],
    env,
  );
  expect(code).toBe(0);
  expect(screen).toContain("\u001b[2K\u001b[1G");
  expect(screen).not.toMatch(COLOUR);
});

maybe("delete asks on the terminal; 'n' keeps the backup (exit 1), 'y' deletes it", async () => {
  const env = cliEnv({ VPS_API_URL: emulator.url, VPS_API_TOKEN: emulator.demoToken });
  const backup = emulator.state.createManualBackup(
    emulator.state.serverById(12345) as NonNullable<ReturnType<typeof emulator.state.serverById>>,
    "to delete on a terminal",
  );
  const declined = await runInTerminal(["delete", String(backup.id)], env, "n\r");
  expect(declined.code).toBe(1);
  expect(declined.screen).toMatch(new RegExp(`Delete backup ${backup.id}\\?`));
  expect(declined.screen).toMatch(/not confirmed/);
  expect(emulator.state.backupById(backup.id)).toBeDefined();

  const accepted = await runInTerminal(["delete", String(backup.id)], env, "y\r");
  expect(accepted.code).toBe(0);
  expect(accepted.screen).toMatch(new RegExp(`${backup.id}\\s+deleted`));
});
