#!/usr/bin/env node
// `npm run pack-plugin`: builds, then writes dist-plugin/pulumi-resource-vps-v<version>-<os>-<arch>.tar.gz,
// the plugin as `pulumi plugin install resource vps <version> --file <tarball>` takes it: the
// executable `pulumi-resource-vps` at the root, the compiled code (dist/), a trimmed
// package.json, and the production dependencies it loads at run time (the package's
// dependencies and @pulumi/pulumi, with theirs), copied from node_modules as real files.
// It runs on the `node` found on PATH (22 or later), like the npm-installed plugin.
//
// Options: --out <dir> (default dist-plugin), --no-build (use dist/ as it is).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, "dist-plugin"));
const build = !args.includes("--no-build");

const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
/** What the plugin loads at run time: the package's dependencies and the Pulumi SDK (a peer). */
const RUNTIME_ROOTS = [...Object.keys(pkg.dependencies ?? {}), "@pulumi/pulumi"];
// Pulumi names plugin archives with Go's names for systems and processors.
const GO_OS = { linux: "linux", darwin: "darwin", win32: "windows" };
const GO_ARCH = { x64: "amd64", arm64: "arm64" };

function fail(message) {
  console.error(`pack-plugin: ${message}`);
  process.exit(1);
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) fail(`${command} ${commandArgs.join(" ")} failed`);
}

/** Where `name` resolves from `fromDir`, as Node looks it up (nested node_modules first). */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/** Every package the roots need at run time, as folders of this checkout's node_modules. */
function runtimeClosure() {
  const found = new Set();
  const queue = RUNTIME_ROOTS.map((name) => ({ name, from: root, optional: false }));
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift();
    const dir = packageDir(name, from);
    if (!dir) {
      if (optional) continue;
      fail(
        `${name} (needed by ${path.relative(root, from) || "the package"}) is not installed: run npm ci`,
      );
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      queue.push({ name: dependency, from: dir, optional: false });
    }
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
      queue.push({ name: dependency, from: dir, optional: true });
    }
  }
  return [...found].sort();
}

/** Copies a package without its nested node_modules (the closure lists those it needs). */
function copyPackage(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (source) => path.relative(from, source).split(path.sep)[0] !== "node_modules",
  });
}

const os = GO_OS[process.platform];
const arch = GO_ARCH[process.arch];
if (!os || !arch) fail(`no Pulumi plugin name for ${process.platform}/${process.arch}`);
if (build)
  run(process.execPath, [
    path.join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    "tsconfig.build.json",
  ]);
if (!fs.existsSync(path.join(root, "dist", "provider", "native", "main.js"))) {
  fail("dist/ is not built: run npm run build (or leave out --no-build)");
}

fs.mkdirSync(outDir, { recursive: true });
const stage = fs.mkdtempSync(path.join(outDir, ".stage-"));
try {
  const shim = path.join(stage, "pulumi-resource-vps");
  fs.writeFileSync(
    shim,
    [
      "#!/bin/sh",
      "# pulumi-resource-vps, as `pulumi plugin install` unpacks it: runs the compiled plugin",
      "# beside this file with the node on PATH.",
      'dir="$(cd "$(dirname "$0")" && pwd)"',
      'exec node "$dir/dist/provider/native/main.js" "$@"',
      "",
    ].join("\n"),
  );
  fs.chmodSync(shim, 0o755);
  fs.writeFileSync(
    path.join(stage, "pulumi-resource-vps.cmd"),
    '@node "%~dp0\\dist\\provider\\native\\main.js" %*\r\n',
  );
  // Declarations are of no use at run time; the code and its source maps are.
  fs.cpSync(path.join(root, "dist"), path.join(stage, "dist"), {
    recursive: true,
    filter: (source) => !/\.d\.ts(\.map)?$/.test(source),
  });
  // The plugin reads its version from its own package.json, by package name (self-reference
  // through `exports`), so name, version and exports stay as they are.
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    main: pkg.main,
    exports: pkg.exports,
    engines: pkg.engines,
    dependencies: pkg.dependencies,
  };
  fs.writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  if (fs.existsSync(path.join(root, "LICENSE"))) {
    fs.copyFileSync(path.join(root, "LICENSE"), path.join(stage, "LICENSE"));
  }
  const packages = runtimeClosure();
  for (const dir of packages) copyPackage(dir, path.join(stage, path.relative(root, dir)));

  const tarball = path.join(outDir, `pulumi-resource-vps-v${pkg.version}-${os}-${arch}.tar.gz`);
  run("tar", ["-czf", tarball, "-C", stage, "."]);
  const sizeMb = (fs.statSync(tarball).size / 1024 / 1024).toFixed(1);
  console.log(
    `${path.relative(process.cwd(), tarball)}: ${sizeMb} MB, ${packages.length} packages`,
  );
  console.log(`install it: pulumi plugin install resource vps ${pkg.version} --file ${tarball}`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
