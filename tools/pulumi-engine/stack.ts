/**
 * A real Pulumi stack on a local file backend, for the e2e tests and the benchmarks.
 * `dispose()` also ends every run of the stack still going, so a failed test leaves nothing
 * running.
 *
 * The program is copied into a fresh temporary folder (stack config files are written beside
 * Pulumi.yaml, so runs never touch the repository), with `node_modules` linked to the
 * repository's, where `pulumi-vps-backups` resolves to this checkout's `dist/`.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as engine from "./engine.cjs";

export interface PulumiResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on messages. */
  output: string;
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  custom?: boolean;
  pendingReplacement?: boolean;
  initErrors?: string[];
  [key: string]: unknown;
}

export interface StackOptions {
  /** An example folder under examples/ to copy, or omit and pass `program`. */
  example?: string;
  /** Inline TypeScript program (index.ts) when no example is given. */
  program?: string;
  /** Plain (non-secret) stack config, `key` or `namespace:key`. */
  config?: Record<string, string>;
  /** Secret stack config. */
  secretConfig?: Record<string, string>;
  /** Extra environment of every pulumi run. */
  env?: Record<string, string>;
  stackName?: string;
  /**
   * Give the stack its own copy of this package (package.json + dist) instead of a link to
   * the checkout, so a test can edit the provider's code under one stack only.
   */
  copyPackage?: boolean;
}

/** A `pulumi` run started in its own session, so that it can be killed with every process it started. */
export interface RunningPulumi {
  /** Pid of the CLI, which leads the session its language host and providers run in. */
  pid: number;
  /** When it was started (ms since epoch). */
  startedAtMs: number;
  /** Resolves when the CLI exits; `signal` is "SIGKILL" after {@link RunningPulumi.killSession}. */
  exited: Promise<PulumiResult & { signal: NodeJS.Signals | null }>;
  /**
   * SIGKILLs every live process of the run's session (the CLI, the language host, node, the
   * providers), as a crashed machine or a killed CI job would, and resolves with how many
   * were killed. The plugins run in process groups of their own, so killing the CLI's process
   * group alone would leave them running.
   */
  killSession(): Promise<number>;
  /**
   * Sends `signal` once to every live process of the run's session, as a CI runner that
   * cancels a job by signalling its whole process tree does; resolves with how many got it.
   * (A terminal's Ctrl-C reaches only the CLI: the plugins run in process groups of their own.)
   */
  signalSession(signal: NodeJS.Signals): number;
}

const EXAMPLES_DIR = path.join(engine.REPO_ROOT, "examples");

/** The tsconfig.json of the programs the tests and benchmarks deploy. */
export const PROGRAM_TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "commonjs",
    moduleResolution: "node10",
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
  },
  files: ["index.ts"],
};

const PACKAGE_NAME = "pulumi-vps-backups";

/**
 * How often a TypeScript program is type-checked. Pulumi's Node host type-checks it on every
 * `up` and `preview` (ts-node without transpileOnly): what users get, and what the benchmarks
 * measure, so that is the default. Checking the same text again finds nothing new and costs
 * about 40% of each run on a loaded machine, so the e2e tier (tests/support/e2e-budget.ts)
 * switches to "once": each distinct program (its files and tsconfig.json, with the package's
 * types) is type-checked by the first `up` or `preview` of it that succeeds in this process;
 * later runs of the same text are transpile-only (`PULUMI_NODEJS_TRANSPILE_ONLY`). A program
 * that does not type-check fails its first run, as before.
 */
export const programTypecheck: { mode: "every-run" | "once" } = { mode: "every-run" };

/** Fingerprints of the programs a successful run has type-checked (mode "once"). */
const typecheckedPrograms = new Set<string>();

/** Commands that run the program (and so type-check it). */
const PROGRAM_COMMANDS = new Set(["up", "preview"]);

/**
 * What a type-check of the program depends on: every file of the project but node_modules and
 * the stack config (Pulumi.<stack>.yaml, which changes between runs and is not compiled), and,
 * for a stack with its own copy of the package, that copy (its types may be edited).
 */
function programFingerprint(projectDir: string, ownPackage: string | undefined): string {
  const hash = createHash("sha256");
  if (ownPackage) hash.update(`own package ${ownPackage}\0`);
  // A walk of its own: node_modules is a link to the repository's, which a recursive readdir
  // follows (a million entries, minutes).
  const walk = (dir: string, relative: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name === "node_modules") continue;
      // The stack config (Pulumi.<stack>.yaml) changes between runs and is not compiled.
      if (!relative && /^Pulumi\..+\.yaml$/.test(entry.name)) continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), name);
      else if (entry.isFile()) {
        hash.update(`${name}\0`);
        hash.update(fs.readFileSync(path.join(dir, entry.name)));
        hash.update("\0");
      }
    }
  };
  walk(projectDir, "");
  return hash.digest("hex");
}

function linkNodeModules(projectDir: string, copyPackage: boolean): void {
  const repoModules = path.join(engine.REPO_ROOT, "node_modules");
  const target = path.join(projectDir, "node_modules");
  if (!copyPackage) {
    fs.symlinkSync(repoModules, target);
    return;
  }
  fs.mkdirSync(target);
  for (const entry of fs.readdirSync(repoModules)) {
    if (entry === PACKAGE_NAME || entry === ".bin") continue;
    fs.symlinkSync(path.join(repoModules, entry), path.join(target, entry));
  }
  const packageDir = path.join(target, PACKAGE_NAME);
  fs.mkdirSync(packageDir);
  fs.copyFileSync(
    path.join(engine.REPO_ROOT, "package.json"),
    path.join(packageDir, "package.json"),
  );
  fs.cpSync(path.join(engine.REPO_ROOT, "dist"), path.join(packageDir, "dist"), {
    recursive: true,
  });
}

export class PulumiStack {
  readonly workDir: string;
  readonly projectDir: string;
  readonly stackName: string;
  private env: NodeJS.ProcessEnv;
  /** Runs still going: `dispose()` stops them. */
  private readonly inFlight = new Set<AbortController>();
  private readonly sessions = new Set<RunningPulumi>();
  /** Set for a stack with its own copy of the package (it scopes the type-check cache). */
  private ownPackage = false;

  private constructor(
    workDir: string,
    projectDir: string,
    stackName: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.workDir = workDir;
    this.projectDir = projectDir;
    this.stackName = stackName;
    this.env = env;
  }

  /** Copies the program, creates the stack and sets its config. */
  static async create(options: StackOptions): Promise<PulumiStack> {
    const engineDir = engine.ensurePulumi();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-stack-"));
    const projectDir = path.join(workDir, "project");
    if (options.example) {
      fs.cpSync(path.join(EXAMPLES_DIR, options.example), projectDir, {
        recursive: true,
        filter: (source) => !source.includes("node_modules"),
      });
    } else {
      fs.mkdirSync(projectDir);
      const name = `vps-test-${Math.random().toString(36).slice(2, 8)}`;
      fs.writeFileSync(
        path.join(projectDir, "Pulumi.yaml"),
        `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
      );
      fs.writeFileSync(
        path.join(projectDir, "package.json"),
        JSON.stringify({ name, private: true, main: "index.ts" }),
      );
      fs.writeFileSync(path.join(projectDir, "tsconfig.json"), JSON.stringify(PROGRAM_TSCONFIG));
      fs.writeFileSync(path.join(projectDir, "index.ts"), options.program ?? "");
    }
    linkNodeModules(projectDir, options.copyPackage ?? false);
    const env = engine.pulumiEnv({ engineDir, workDir, extra: options.env ?? {} });
    const stackName = options.stackName ?? "test";
    const stack = new PulumiStack(workDir, projectDir, stackName, env);
    stack.ownPackage = options.copyPackage ?? false;
    try {
      await stack.mustRun(["stack", "init", stackName, "--non-interactive"]);
      for (const [key, value] of Object.entries(options.config ?? {})) {
        await stack.setConfig(key, value);
      }
      for (const [key, value] of Object.entries(options.secretConfig ?? {})) {
        await stack.setConfig(key, value, { secret: true });
      }
    } catch (error) {
      fs.rmSync(workDir, { recursive: true, force: true });
      throw error;
    }
    return stack;
  }

  /** Runs `pulumi <args>` in the project; never throws on a non-zero exit. */
  async run(
    args: string[],
    options: { env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<PulumiResult> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const typecheck = this.typecheckOf(args, options.env);
    const result = await engine
      .runPulumi(args, {
        cwd: this.projectDir,
        env: { ...this.env, ...typecheck.env, ...(options.env ?? {}) },
        timeoutMs: options.timeoutMs,
        signal: controller.signal,
      })
      .finally(() => this.inFlight.delete(controller));
    if (result.code === 0) typecheck.passed();
    return {
      code: result.code,
      stdout: result.stdout,
      stderr: result.stderr,
      output: `${result.stdout}\n${result.stderr}`,
    };
  }

  /**
   * Starts `pulumi <args>` in a new session without waiting for it (for tests that kill it).
   * Linux only: {@link RunningPulumi.killSession} finds the session's processes in /proc.
   */
  spawn(
    args: string[],
    options: { env?: Record<string, string>; onOutput?: (chunk: string) => void } = {},
  ): RunningPulumi {
    const typecheck = this.typecheckOf(args, options.env);
    const child = spawn("pulumi", args, {
      cwd: this.projectDir,
      env: { ...this.env, ...typecheck.env, ...(options.env ?? {}) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // setsid: the CLI leads a session holding everything it starts
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start pulumi ${args.join(" ")}`);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      options.onOutput?.(String(chunk));
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      options.onOutput?.(String(chunk));
    });
    const exited = new Promise<PulumiResult & { signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code, signal) => {
          if (code === 0) typecheck.passed();
          resolve({ code, signal, stdout, stderr, output: `${stdout}\n${stderr}` });
        });
      },
    );
    const killSession = async (): Promise<number> => {
      const killed = new Set<number>();
      // Repeat until the session is empty: a process may fork between the scan and the kill.
      for (let round = 0; round < 50; round += 1) {
        const members = engine.sessionMembers(pid);
        if (members.length === 0) break;
        for (const member of members) {
          try {
            process.kill(member, "SIGKILL");
            killed.add(member);
          } catch {
            // already gone
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return killed.size;
    };
    const signalSession = (signal: NodeJS.Signals): number => {
      let signalled = 0;
      for (const member of engine.sessionMembers(pid)) {
        try {
          process.kill(member, signal);
          signalled += 1;
        } catch {
          // already gone
        }
      }
      return signalled;
    };
    const running: RunningPulumi = {
      pid,
      startedAtMs: Date.now(),
      exited,
      killSession,
      signalSession,
    };
    this.sessions.add(running);
    void exited.finally(() => this.sessions.delete(running)).catch(() => undefined);
    return running;
  }

  /**
   * The environment that makes a run of an already type-checked program transpile-only
   * (mode "once"), and what to call when the run succeeded: a successful `up` or `preview` that
   * type-checked the program records it as checked.
   */
  private typecheckOf(
    args: string[],
    extraEnv: Record<string, string> | undefined,
  ): { env: Record<string, string>; passed: () => void } {
    const none = { env: {}, passed: () => undefined };
    if (programTypecheck.mode !== "once" || !PROGRAM_COMMANDS.has(args[0] ?? "")) return none;
    const chosen = extraEnv?.PULUMI_NODEJS_TRANSPILE_ONLY ?? this.env.PULUMI_NODEJS_TRANSPILE_ONLY;
    if (chosen !== undefined) return none; // the test (or the caller's shell) decides
    const fingerprint = programFingerprint(
      this.projectDir,
      this.ownPackage ? this.workDir : undefined,
    );
    if (typecheckedPrograms.has(fingerprint)) {
      return { env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }, passed: () => undefined };
    }
    return { env: {}, passed: () => typecheckedPrograms.add(fingerprint) };
  }

  /** Runs `pulumi <args>` and throws with its whole output when it fails. */
  async mustRun(
    args: string[],
    options: { env?: Record<string, string> } = {},
  ): Promise<PulumiResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.output}`);
    }
    return result;
  }

  async setConfig(key: string, value: string, options: { secret?: boolean } = {}): Promise<void> {
    await this.mustRun([
      "config",
      "set",
      ...(options.secret ? ["--secret"] : ["--plaintext"]),
      key,
      "--",
      value,
    ]);
  }

  /** Sets several plain config values in one `pulumi config set-all` run. */
  async setPlainConfigs(values: Record<string, string>): Promise<void> {
    const pairs = Object.entries(values).flatMap(([key, value]) => [
      "--plaintext",
      `${key}=${value}`,
    ]);
    await this.mustRun(["config", "set-all", ...pairs]);
  }

  /**
   * Whether the local file backend holds a lock on this stack: a `pulumi up` that was killed
   * leaves its lock behind, and every later update then fails until `pulumi cancel`.
   */
  isLocked(): boolean {
    const locksDir = path.join(this.workDir, "state", ".pulumi", "locks");
    if (!fs.existsSync(locksDir)) return false;
    const entries = fs.readdirSync(locksDir, { recursive: true, encoding: "utf8" });
    return entries.some((entry) => entry.endsWith(".json"));
  }

  /** The stack's own copy of the package, when created with `copyPackage`. */
  get packageDir(): string {
    return path.join(this.projectDir, "node_modules", PACKAGE_NAME);
  }

  /** Replaces the program's index.ts (for multi-step tests). */
  writeProgram(source: string): void {
    fs.writeFileSync(path.join(this.projectDir, "index.ts"), source);
  }

  up(extra: string[] = [], options: { env?: Record<string, string> } = {}): Promise<PulumiResult> {
    return this.run(["up", "--yes", "--non-interactive", "--skip-preview", ...extra], options);
  }

  /** Starts `pulumi up` without waiting for it (see {@link PulumiStack.spawn}). */
  startUp(
    extra: string[] = [],
    options: { onOutput?: (chunk: string) => void } = {},
  ): RunningPulumi {
    return this.spawn(["up", "--yes", "--non-interactive", "--skip-preview", ...extra], options);
  }

  preview(extra: string[] = []): Promise<PulumiResult> {
    return this.run(["preview", "--non-interactive", "--diff", ...extra]);
  }

  refresh(extra: string[] = []): Promise<PulumiResult> {
    return this.run(["refresh", "--yes", "--non-interactive", "--skip-preview", ...extra]);
  }

  destroy(extra: string[] = []): Promise<PulumiResult> {
    return this.run(["destroy", "--yes", "--non-interactive", "--skip-preview", ...extra]);
  }

  async outputs(): Promise<Record<string, unknown>> {
    const result = await this.mustRun(["stack", "output", "--json"]);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  /** The raw text of `pulumi stack export` (for secret scans) and its parsed resources. */
  async exportState(): Promise<{
    text: string;
    resources: StateResource[];
    pendingOperations: unknown[];
  }> {
    const result = await this.mustRun(["stack", "export"]);
    const parsed = JSON.parse(result.stdout) as {
      deployment: { resources?: StateResource[]; pending_operations?: unknown[] };
    };
    return {
      text: result.stdout,
      resources: parsed.deployment.resources ?? [],
      pendingOperations: parsed.deployment.pending_operations ?? [],
    };
  }

  /** The state's resources of one type token suffix, e.g. "ServerBackup". */
  async resourcesOfType(typeSuffix: string): Promise<StateResource[]> {
    const { resources } = await this.exportState();
    return resources.filter((resource) => resource.type.endsWith(`:${typeSuffix}`));
  }

  /**
   * Ends every run of the stack still going (a test that failed or timed out mid-run), then
   * removes the stack and the temporary folder. Safe to call twice.
   */
  async dispose(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
    await Promise.all([...this.sessions].map((running) => running.killSession()));
    try {
      if (fs.existsSync(this.projectDir)) {
        await this.run(["stack", "rm", "--yes", "--force", this.stackName]);
      }
    } finally {
      fs.rmSync(this.workDir, { recursive: true, force: true });
    }
  }
}
