// The Pulumi Python language host, built offline into the engine folder, and the Python
// virtualenv the project's Python programs run in.
//
// The host (pulumi-language-python) is compiled from this folder's go.mod, which pins
// github.com/pulumi/pulumi/sdk/v3 v3.68.0: the last release whose module still contains it that
// the Go module proxy reachable here serves. It runs each program through the script
// `pulumi-language-python-exec` found beside it on PATH, copied from the same module; the
// program itself imports the `pulumi` Python package installed in its virtualenv, at the
// version pinned below.
"use strict";

const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The sdk/v3 release the host is built from (keep in step with go.mod). */
const PYTHON_HOST_SDK_VERSION = "3.68.0";
/** The `pulumi` package from PyPI that Python programs run on. */
const PULUMI_PYTHON_VERSION = "3.272.0";
/** Where the virtualenvs are kept (git-ignored), one per content of what is installed. */
const VENV_ROOT = path.join(REPO_ROOT, ".pulumi-python");
const GENERATED_SDK = path.join(REPO_ROOT, "sdks", "python");
const HOST = "pulumi-language-python";
const EXEC_SHIM = "pulumi-language-python-exec";

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${result.status}`;
    throw new Error(`${command} ${args.join(" ")} failed (${why}):\n${result.stderr ?? ""}`);
  }
  return result.stdout;
}

/**
 * Makes sure `engineDir` holds `pulumi-language-python` and `pulumi-language-python-exec`,
 * building the host with Go when missing (about 40 s on warm Go caches). Returns `engineDir`.
 */
function ensurePythonHost(engineDir, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const host = path.join(engineDir, HOST);
  const shim = path.join(engineDir, EXEC_SHIM);
  if (fs.existsSync(host) && fs.existsSync(shim)) return engineDir;
  const started = Date.now();
  log(`Building ${HOST} from sdk/v3 v${PYTHON_HOST_SDK_VERSION} into ${engineDir} (once).`);
  const env = { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" };
  const moduleDir = run("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi/sdk/v3"], {
    cwd: __dirname,
    env,
  }).trim();
  const staging = `${host}.partial-${process.pid}`;
  try {
    run(
      "go",
      [
        "build",
        "-trimpath",
        "-ldflags",
        `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PYTHON_HOST_SDK_VERSION}`,
        "-o",
        staging,
        "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python",
      ],
      { cwd: __dirname, env },
    );
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
  // The module cache is read-only: copy the shim and make the copy executable.
  fs.copyFileSync(path.join(moduleDir, "python", "cmd", EXEC_SHIM), shim);
  fs.chmodSync(shim, 0o755);
  fs.renameSync(staging, host);
  log(`Built ${HOST} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return engineDir;
}

/** A digest of every file under `dir` (names and contents), skipping Python's caches. */
function treeDigest(dir, hash = crypto.createHash("sha256")) {
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === "__pycache__" || entry.name.endsWith(".egg-info") || entry.name === "build")
      continue;
    const full = path.join(dir, entry.name);
    hash.update(entry.name);
    if (entry.isDirectory()) treeDigest(full, hash);
    else hash.update(fs.readFileSync(full));
  }
  return hash;
}

/**
 * A virtualenv holding `pulumi` ${PULUMI_PYTHON_VERSION} from PyPI and the generated SDK
 * (sdks/python), made once per content of the SDK under .pulumi-python/ and renamed into place
 * last, so concurrent callers and interrupted installs never see half of one. Returns its path.
 */
function ensurePythonVenv({
  python = "python3",
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  const digest = treeDigest(GENERATED_SDK).update(PULUMI_PYTHON_VERSION).digest("hex").slice(0, 16);
  const venv = path.join(VENV_ROOT, `venv-${digest}`);
  if (fs.existsSync(path.join(venv, "bin", "python"))) return venv;
  log(
    `Making a Python virtualenv with pulumi ${PULUMI_PYTHON_VERSION} and sdks/python in ${venv}.`,
  );
  const staging = `${venv}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(VENV_ROOT, { recursive: true });
  try {
    run(python, ["-m", "venv", staging]);
    // A copy, so the install never writes build leftovers into the repository's sdks/python.
    const sdkCopy = `${staging}-sdk`;
    fs.cpSync(GENERATED_SDK, sdkCopy, { recursive: true });
    try {
      const venvPython = path.join(staging, "bin", "python");
      run(venvPython, [
        "-m",
        "pip",
        "install",
        "--quiet",
        `pulumi==${PULUMI_PYTHON_VERSION}`,
        sdkCopy,
      ]);
    } finally {
      fs.rmSync(sdkCopy, { recursive: true, force: true });
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  // Renamed, its console scripts (bin/pip) keep the old path in their first line, but
  // `bin/python -m pip`, which is all the language host runs, works: keep the first one made.
  if (fs.existsSync(venv)) fs.rmSync(staging, { recursive: true, force: true });
  else fs.renameSync(staging, venv);
  return venv;
}

module.exports = {
  PYTHON_HOST_SDK_VERSION,
  PULUMI_PYTHON_VERSION,
  ensurePythonHost,
  ensurePythonVenv,
};
