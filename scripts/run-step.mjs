// One step of `npm test` (scripts/test-all.mjs): a child process that can never hang the run.
//
// The step runs in a session and process group of its own, under a wall-clock limit (a guard
// against a hang, not a speed check). On expiry, or when the step wrote its `doneFile` (jest's
// results) but is still running a grace period later, it is stopped: SIGTERM to its process
// tree, then SIGKILL to the tree, its group and whatever is left in its session. Ctrl-C or a
// cancelled CI job (SIGINT, SIGTERM, SIGHUP to the driver) ends the running step the same way.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { clearInterval, setInterval } from "node:timers";
import engine from "../tools/pulumi-engine/engine.cjs";

/** Between SIGTERM and SIGKILL when a step is stopped. */
const KILL_GRACE_MS = 10_000;
/** How long a step may run on after writing its `doneFile` (jest then says what is open). */
const DEFAULT_EXIT_GRACE_MS = 60_000;

/** The step running now. */
let current;

/** SIGKILLs a step's process tree, its process group and whatever is left in its session. */
function killEverything(pid) {
  engine.signalProcessTree(pid, "SIGKILL");
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group is gone
  }
  for (const member of engine.sessionMembers(pid)) {
    try {
      process.kill(member, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Stops a step: SIGTERM to its tree, SIGKILL to everything of it after a grace period. */
function stop(child) {
  if (child.pid === undefined) return;
  engine.signalProcessTree(child.pid, "SIGTERM");
  const hard = setTimeout(() => killEverything(child.pid), KILL_GRACE_MS);
  child.once("exit", () => {
    clearTimeout(hard);
    killEverything(child.pid);
  });
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    process.stdout.write(`\nnpm test: ${signal}, stopping.\n`);
    if (current?.pid !== undefined) killEverything(current.pid);
    process.exit(130);
  });
}

const seconds = (ms) => `${Math.round(ms / 1000)} s`;
const duration = (ms) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : seconds(ms));

/**
 * Runs `command args` with the output on the driver's own, and resolves (never rejects) with
 * `{ code, reason }`: `code` is the exit code (or "signal X"), `reason` says why the step was
 * stopped or could not start (undefined when it ended on its own).
 */
export function runStep(
  name,
  command,
  args,
  { cwd, env = process.env, limitMs, doneFile, exitGraceMs = DEFAULT_EXIT_GRACE_MS },
) {
  process.stdout.write(`\n=== ${name}: ${path.basename(command)} ${args.join(" ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    });
    current = child;
    let reason;
    const end = (why) => {
      if (reason) return;
      reason = why;
      process.stdout.write(`\nnpm test: ${name} ${why}; stopping it.\n`);
      stop(child);
    };
    const limit = setTimeout(() => end(`was still running after ${duration(limitMs)}`), limitMs);
    let grace;
    const watch = doneFile
      ? setInterval(() => {
          if (grace || !fs.existsSync(doneFile)) return;
          grace = setTimeout(
            () =>
              end(
                `finished but did not exit ${seconds(exitGraceMs)} later ` +
                  "(something was left open: see jest's message above)",
              ),
            exitGraceMs,
          );
        }, 500)
      : undefined;
    let settled = false;
    const finish = (code, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      clearTimeout(grace);
      clearInterval(watch);
      current = undefined;
      // Nothing a step started may run on into the next one.
      const leftovers = child.pid === undefined ? [] : engine.sessionMembers(child.pid);
      if (leftovers.length > 0) {
        process.stdout.write(
          `npm test: ${name} left ${leftovers.length} process(es) running; killing them.\n`,
        );
        killEverything(child.pid);
      }
      resolve({
        code,
        reason: reason ?? (error ? `could not start: ${error.message}` : undefined),
      });
    };
    child.on("error", (error) => finish(null, error));
    child.on("exit", (code, signal) => finish(code ?? `signal ${signal}`));
  });
}
