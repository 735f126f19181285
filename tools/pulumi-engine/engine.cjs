// The real Pulumi engine, provisioned offline, and the environment every run of it uses.
//
// The official installers download at run time and cannot reach their servers from a machine
// that only sees package registries, so the CLI and the Node language host are built from
// their Go modules (the `cli/` and `nodejs-host/` folders beside this file pin them). CommonJS
// so that the .mjs scripts, the jest e2e tests and the benchmarks can all load this one copy.
"use strict";

const { spawnSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The Pulumi CLI version we build and test with (github.com/pulumi/pulumi/pkg/v3). */
const ENGINE_VERSION = "3.274.1";
/**
 * The sdk/v3 release whose module still contains the Node language host. Later releases moved
 * it into its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3), which the Go module proxy
 * reachable here does not serve; the host speaks the same stable LanguageRuntime gRPC protocol
 * and only starts `node` on the SDK's own `cmd/run`, so the SDK version that runs is ours.
 */
const NODEJS_HOST_SDK_VERSION = "3.68.0";
/**
 * The sdk/v3 release whose module still contains the Go language host (go/pulumi-language-go):
 * the newest such release the Go module proxy reachable here serves. It compiles each Go program
 * with `go build` on every run; the program itself uses sdk/v3 at the CLI's version.
 */
const GO_HOST_SDK_VERSION = "3.61.0";
/** Oldest CLI already on PATH that we accept instead of building one. */
const MIN_CLI_VERSION = "3.200.0";

const ENGINE_ROOT = path.join(REPO_ROOT, ".pulumi-engine");
const BUILT_ENGINE_DIR = path.join(ENGINE_ROOT, `v${ENGINE_VERSION}`);
const PROJECT_NODE_BIN = path.join(REPO_ROOT, "node_modules", ".bin");
const DYNAMIC_PROVIDER_SHIM = path.join(
  REPO_ROOT,
  "node_modules",
  "@pulumi",
  "pulumi",
  "pulumi-resource-pulumi-nodejs",
);
/**
 * Set to the folder an earlier `ensurePulumi()` returned (the e2e tier's global setup does, once
 * for every test file), so later calls in child processes reuse it without looking again.
 */
const ENGINE_DIR_VARIABLE = "VPS_BACKUPS_PULUMI_ENGINE_DIR";
const ENGINE_BINARIES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

function compareVersions(a, b) {
  const pa = a.replace(/^v/, "").split(/[.-]/).map(Number);
  const pb = b.replace(/^v/, "").split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

function which(name, pathVar = process.env.PATH || "") {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function hasEngine(dir) {
  return ENGINE_BINARIES.every((name) => fs.existsSync(path.join(dir, name)));
}

/** Puts the dynamic-provider shim of the @pulumi/pulumi we test with beside the CLI. */
function installShim(dir) {
  if (!fs.existsSync(DYNAMIC_PROVIDER_SHIM)) {
    throw new Error(
      "node_modules/@pulumi/pulumi is missing: run `npm install` (or `npm ci`) in the repository first.",
    );
  }
  // Beside the CLI, the engine takes it as a bundled plugin (no "from $PATH" warning).
  fs.copyFileSync(DYNAMIC_PROVIDER_SHIM, path.join(dir, "pulumi-resource-pulumi-nodejs"));
  fs.chmodSync(path.join(dir, "pulumi-resource-pulumi-nodejs"), 0o755);
}

/** A `pulumi` already on PATH, when it is recent enough and has the Node language host. */
function findInstalledEngine(log) {
  const pathWithoutOurs = (process.env.PATH || "")
    .split(path.delimiter)
    .filter((dir) => !path.resolve(dir).startsWith(ENGINE_ROOT))
    .join(path.delimiter);
  const cli = which("pulumi", pathWithoutOurs);
  if (!cli) return undefined;
  const result = spawnSync(cli, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const version = (result.stdout || "").trim();
  if (result.status !== 0 || !/^v?\d+\.\d+\.\d+/.test(version)) return undefined;
  if (compareVersions(version, MIN_CLI_VERSION) < 0) {
    log(`pulumi ${version} on PATH is older than ${MIN_CLI_VERSION}; building ${ENGINE_VERSION}.`);
    return undefined;
  }
  const cliDir = path.dirname(fs.realpathSync(cli));
  const host = which("pulumi-language-nodejs", `${cliDir}${path.delimiter}${pathWithoutOurs}`);
  if (!host) return undefined;
  // One folder holding all three, as every caller expects: link the installed ones.
  const dir = path.join(ENGINE_ROOT, "installed");
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of [
    ["pulumi", fs.realpathSync(cli)],
    ["pulumi-language-nodejs", fs.realpathSync(host)],
  ]) {
    const link = path.join(dir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  installShim(dir);
  log(`Using pulumi ${version} from ${cliDir}.`);
  return dir;
}

function goBuild(moduleDir, mainPackage, output, version) {
  const result = spawnSync(
    "go",
    [
      "build",
      "-trimpath",
      "-ldflags",
      `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`,
      "-o",
      output,
      mainPackage,
    ],
    {
      cwd: path.join(__dirname, moduleDir),
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
    },
  );
  if (result.status !== 0) {
    throw new Error(
      `go build of ${mainPackage} failed (exit ${result.status}); see the output above.`,
    );
  }
}

/**
 * Makes a Pulumi engine available and returns the folder holding `pulumi`,
 * `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`.
 * Order: the folder named by VPS_BACKUPS_PULUMI_ENGINE_DIR when it holds an engine; an engine
 * built earlier for the pinned version; a recent enough `pulumi` on PATH; a build from the Go
 * modules (minutes, once; later runs reuse it).
 */
function ensurePulumi({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const located = process.env[ENGINE_DIR_VARIABLE];
  if (located && hasEngine(located)) return located;
  if (hasEngine(BUILT_ENGINE_DIR)) {
    installShim(BUILT_ENGINE_DIR); // keep the shim in step with the installed @pulumi/pulumi
    return BUILT_ENGINE_DIR;
  }
  if (process.env.VPS_BACKUPS_BUILD_PULUMI !== "always") {
    const installed = findInstalledEngine(log);
    if (installed) return installed;
  }
  if (!which("go")) {
    throw new Error(
      [
        "No Pulumi CLI was found and Go is not installed to build one.",
        "Install Pulumi (https://www.pulumi.com/docs/iac/download-install/, version >= " +
          MIN_CLI_VERSION +
          ", with its pulumi-language-nodejs) and put it on PATH,",
        "or install Go >= 1.26 so that `npm run ensure-pulumi` can build Pulumi " +
          ENGINE_VERSION +
          " from its Go modules.",
      ].join("\n"),
    );
  }
  log(
    `Building Pulumi ${ENGINE_VERSION} from its Go modules into ${path.relative(REPO_ROOT, BUILT_ENGINE_DIR)}/ ` +
      "(a cold build downloads about a gigabyte of modules and takes several minutes; it happens once).",
  );
  const started = Date.now();
  const staging = `${BUILT_ENGINE_DIR}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  goBuild(
    "cli",
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    path.join(staging, "pulumi"),
    ENGINE_VERSION,
  );
  goBuild(
    "nodejs-host",
    "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
    path.join(staging, "pulumi-language-nodejs"),
    NODEJS_HOST_SDK_VERSION,
  );
  installShim(staging);
  // Rename last, so an interrupted build never looks finished.
  fs.rmSync(BUILT_ENGINE_DIR, { recursive: true, force: true });
  fs.renameSync(staging, BUILT_ENGINE_DIR);
  log(`Built Pulumi ${ENGINE_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return BUILT_ENGINE_DIR;
}

/**
 * The environment of every Pulumi run: a local file backend in `workDir`, a passphrase, no
 * update checks, no plugin downloads, the engine folder and the project's own Node first on PATH.
 */
function pulumiEnv({ engineDir, workDir, passphrase = "pulumi-vps-backups-local", extra = {} }) {
  const stateDir = path.join(workDir, "state");
  const homeDir = path.join(workDir, "home");
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(homeDir, { recursive: true });
  const env = { ...process.env };
  // A token from the caller's shell must never leak into a run that did not ask for it.
  delete env.VPS_API_TOKEN;
  delete env.VPS_API_URL;
  delete env.PULUMI_ACCESS_TOKEN;
  return {
    ...env,
    PATH: [engineDir, PROJECT_NODE_BIN, process.env.PATH || ""].join(path.delimiter),
    PULUMI_HOME: homeDir,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

/** Live processes from /proc as [pid, ppid, session] (Linux; empty elsewhere). */
function liveProcesses() {
  let entries;
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  const processes = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp session …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z") processes.push([Number(entry), Number(fields[1]), Number(fields[3])]);
  }
  return processes;
}

/** Pids of the live descendants of `pid` (children, theirs, …), read from /proc (Linux). */
function descendants(pid) {
  const children = new Map();
  for (const [child, parent] of liveProcesses()) {
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Pids of the live processes of a session (the session leader's pid), read from /proc (Linux). */
function sessionMembers(sessionId) {
  return liveProcesses()
    .filter(([, , session]) => session === sessionId)
    .map(([pid]) => pid);
}

/**
 * Sends `signal` to a process and to every descendant it has. The tree is read before any
 * signal is sent, so no process is reparented out of reach first (a Pulumi CLI's plugins run
 * in process groups of their own: a group kill would miss them). Returns how many got it.
 */
function signalProcessTree(pid, signal = "SIGKILL") {
  let signalled = 0;
  for (const target of [...descendants(pid), pid]) {
    try {
      process.kill(target, signal);
      signalled += 1;
    } catch {
      // already gone
    }
  }
  return signalled;
}

/** How long output may trail a `pulumi` that exited (a plugin that lives on may hold its pipes). */
const OUTPUT_GRACE_MS = 5_000;

/**
 * Runs `pulumi <args>` and resolves with its exit code and output (never rejects on a
 * non-zero exit: callers assert on it). After `timeoutMs`, or when `signal` aborts, the CLI
 * and every process it started are killed (SIGKILL) and the run resolves with the reason
 * appended to stderr: a stuck run never outlives its caller.
 */
function runPulumi(args, { cwd, env, timeoutMs = 10 * 60 * 1000, onOutput, signal } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killedBecause;
    let graceTimer;
    const stop = (reason) => {
      if (killedBecause || child.exitCode !== null || child.signalCode !== null) return;
      killedBecause = reason;
      signalProcessTree(child.pid, "SIGKILL");
    };
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => stop("aborted by its caller");
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const cleanUp = () => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal?.removeEventListener("abort", onAbort);
    };
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (onOutput) onOutput(String(chunk));
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (onOutput) onOutput(String(chunk));
    });
    child.on("error", (error) => {
      cleanUp();
      reject(error);
    });
    child.on("exit", () => {
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, OUTPUT_GRACE_MS);
    });
    child.on("close", (code, exitSignal) => {
      cleanUp();
      if (killedBecause) stderr += `\n[pulumi ${args.join(" ")} killed: ${killedBecause}]\n`;
      resolve({ code, signal: exitSignal, stdout, stderr, pid: child.pid });
    });
  });
}

/**
 * Makes sure `engineDir` holds `pulumi-language-go`, built from the `go-host/` folder beside this
 * file when missing (about 40 s on warm Go caches, a few minutes cold), under a temporary name
 * renamed last so an interrupted build never looks finished. Returns `engineDir`.
 */
function ensureGoHost(engineDir, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const target = path.join(engineDir, "pulumi-language-go");
  if (fs.existsSync(target)) return engineDir;
  if (!which("go")) {
    throw new Error(
      `Go is needed to build pulumi-language-go into ${engineDir} (and to run Go programs).`,
    );
  }
  log(`Building pulumi-language-go from sdk/v3 v${GO_HOST_SDK_VERSION} into ${engineDir} (once).`);
  const started = Date.now();
  const staging = `${target}.partial-${process.pid}`;
  try {
    goBuild(
      "go-host",
      "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go",
      staging,
      GO_HOST_SDK_VERSION,
    );
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
  fs.renameSync(staging, target);
  log(`Built pulumi-language-go in ${Math.round((Date.now() - started) / 1000)} s.`);
  return engineDir;
}

/**
 * The engine folder, with the YAML (tools/pulumi-yaml), Go (go-host/) and Python
 * (tools/pulumi-python) language hosts built into it too.
 */
function ensurePulumiWithYaml(options = {}) {
  const { ensureYamlHost } = require(path.join(REPO_ROOT, "tools", "pulumi-yaml", "build.cjs"));
  const { ensurePythonHost } = require(path.join(REPO_ROOT, "tools", "pulumi-python", "build.cjs"));
  const engineDir = ensureYamlHost(ensurePulumi(options), options);
  if (!which("go")) {
    // Node and YAML programs still run; only the Go and Python program tests need these.
    (options.log ?? ((line) => process.stderr.write(`${line}\n`)))(
      "Go is not installed: the Go and Python language hosts are not built.",
    );
    return engineDir;
  }
  ensureGoHost(engineDir, options);
  return ensurePythonHost(engineDir, options);
}

module.exports = {
  REPO_ROOT,
  ENGINE_VERSION,
  NODEJS_HOST_SDK_VERSION,
  GO_HOST_SDK_VERSION,
  MIN_CLI_VERSION,
  ENGINE_ROOT,
  ENGINE_DIR_VARIABLE,
  ensurePulumi: ensurePulumiWithYaml,
  pulumiEnv,
  runPulumi,
  compareVersions,
  descendants,
  sessionMembers,
  signalProcessTree,
};
