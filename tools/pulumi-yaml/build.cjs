// Builds the Pulumi YAML language host (github.com/pulumi/pulumi-yaml, cmd/pulumi-language-yaml)
// from its Go module into the engine folder, once: later runs find it there and skip the build.
//
// It is compiled from this folder's go.mod, which carries pulumi-yaml's own dependency pins
// (github.com/pulumi/pulumi/pkg/v3 v3.206.0); against the CLI's newer pkg/v3 it does not compile.
// The host speaks the stable LanguageRuntime protocol to whichever CLI runs it.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

/** The pulumi-yaml release we build (keep in step with go.mod). */
const YAML_HOST_VERSION = "1.25.0";
const YAML_HOST_BINARY =
  process.platform === "win32" ? "pulumi-language-yaml.exe" : "pulumi-language-yaml";

/**
 * Makes sure `engineDir` holds `pulumi-language-yaml` and returns `engineDir`. Builds it with Go
 * when it is missing (minutes on a cold Go build cache); the binary is written under a temporary
 * name and renamed last, so an interrupted build never looks finished.
 */
function ensureYamlHost(engineDir, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const target = path.join(engineDir, YAML_HOST_BINARY);
  if (fs.existsSync(target)) return engineDir;
  const started = Date.now();
  log(
    `Building pulumi-language-yaml ${YAML_HOST_VERSION} from its Go module into ${engineDir} (once).`,
  );
  const staging = `${target}.partial-${process.pid}`;
  const result = spawnSync(
    "go",
    [
      "build",
      "-trimpath",
      "-ldflags",
      `-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v${YAML_HOST_VERSION}`,
      "-o",
      staging,
      "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml",
    ],
    {
      cwd: __dirname,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
    },
  );
  if (result.error) {
    fs.rmSync(staging, { force: true });
    throw new Error(
      `Cannot build pulumi-language-yaml (${result.error.message}); install Go >= 1.24 or put ` +
        `a pulumi-language-yaml ${YAML_HOST_VERSION} binary into ${engineDir}.`,
    );
  }
  if (result.status !== 0) {
    fs.rmSync(staging, { force: true });
    throw new Error(
      `go build of pulumi-language-yaml failed (exit ${result.status}); see the output above.`,
    );
  }
  fs.renameSync(staging, target);
  log(`Built pulumi-language-yaml in ${Math.round((Date.now() - started) / 1000)} s.`);
  return engineDir;
}

module.exports = { YAML_HOST_VERSION, ensureYamlHost };
