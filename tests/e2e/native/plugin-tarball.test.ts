/**
 * The plugin archive of `npm run pack-plugin`, as a user installs it: `pulumi plugin install
 * resource vps <version> --file <tarball>` into the test's own PULUMI_HOME, then a Pulumi YAML
 * program WITHOUT `plugins.providers` (so the engine takes the installed plugin) runs preview,
 * up and destroy against the emulator; `pulumi package get-schema` on the installed plugin
 * returns the checked-in schema.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";

// Packing copies about 11,000 files, then four pulumi runs each start the plugin.
jest.setTimeout(900_000);

const REPO = engine.REPO_ROOT;
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
    version: string;
  }
).version;

/** Runs `node scripts/pack-plugin.mjs --no-build --out <dir>` and returns the archive's path. */
async function packPlugin(outDir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [path.join(REPO, "scripts", "pack-plugin.mjs"), "--no-build", "--out", outDir],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`npm run pack-plugin failed:\n${output}`);
  const archives = fs.readdirSync(outDir).filter((name) => name.endsWith(".tar.gz"));
  expect(archives).toEqual([
    expect.stringMatching(
      new RegExp(`^pulumi-resource-vps-v${VERSION}-[a-z]+-[a-z0-9]+\\.tar\\.gz$`),
    ),
  ]);
  return path.join(outDir, archives[0] as string);
}

/**
 * PATH for the runs: the engine, this node, and the rest of PATH without any folder holding a
 * `pulumi-resource-vps` (the repository's node_modules/.bin has one), so that the installed
 * plugin is the only one the engine can find.
 */
function pathWithoutOtherPlugins(nodeDir: string): string {
  const others = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !fs.existsSync(path.join(dir, "pulumi-resource-vps")));
  return [engine.ensurePulumi(), nodeDir, ...others].join(path.delimiter);
}

describe("the packed plugin, installed with pulumi plugin install", () => {
  let workDir: string;
  let tarball: string;
  let emulator: RunningEmulator | undefined;
  let stack: PulumiStack | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, "dist", "provider", "native", "main.js"))) {
      throw new Error("dist/ is not built: run npm run build before the e2e tests");
    }
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-plugin-tarball-"));
    tarball = await packPlugin(path.join(workDir, "out"));
  });

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    if (stack) await stack.dispose();
    stack = undefined;
    if (emulator) await emulator.stop();
    emulator = undefined;
  });

  it("is self-contained: the executable at its root, no symlinks", async () => {
    const listing = await new Promise<string>((resolve, reject) => {
      const child = spawn("tar", ["-tzvf", tarball], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (chunk) => (text += chunk));
      child.on("error", reject);
      child.on("close", () => resolve(text));
    });
    const entries = listing.trim().split("\n");
    expect(entries.filter((line) => line.startsWith("l"))).toEqual([]);
    const executable = entries.find((line) => / \.\/pulumi-resource-vps$/.test(line));
    expect(executable).toMatch(/^-rwx/);
    for (const needed of [
      "./dist/provider/native/main.js",
      "./package.json",
      "./node_modules/@pulumi/pulumi/package.json",
      "./node_modules/zod/package.json",
      "./node_modules/axios/package.json",
    ]) {
      expect(entries.some((line) => line.endsWith(` ${needed}`))).toBe(true);
    }
    for (const devOnly of ["jest", "typescript", "eslint", "@swc/core", "fastify"]) {
      expect(entries.some((line) => line.endsWith(` ./node_modules/${devOnly}/`))).toBe(false);
    }
  });

  it("runs a YAML program without plugins.providers, and serves the checked-in schema", async () => {
    const server = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
    emulator = server;
    const nodeDir = path.join(workDir, "node-bin");
    fs.mkdirSync(nodeDir, { recursive: true });
    if (!fs.existsSync(path.join(nodeDir, "node")))
      fs.symlinkSync(process.execPath, path.join(nodeDir, "node"));
    const current = await PulumiStack.create({
      example: "yaml-quickstart",
      config: { "vps:apiUrl": server.url },
      secretConfig: { "vps:apiToken": server.demoToken },
      env: { PATH: pathWithoutOtherPlugins(nodeDir) },
    });
    stack = current;
    const projectFile = path.join(current.projectDir, "Pulumi.yaml");
    const program = fs.readFileSync(projectFile, "utf8").replace(/^plugins:\n(?:[ #].*\n)*/m, "");
    expect(program).not.toContain("plugins:");
    fs.writeFileSync(projectFile, program);

    // Nothing else can serve vps: before the install, the engine finds no plugin.
    const without = await current.preview();
    expect(without.code).not.toBe(0);
    expect(without.output).toMatch(/pulumi-resource-vps|resource plugin vps/);

    await current.mustRun(["plugin", "install", "resource", "vps", VERSION, "--file", tarball]);
    const installed = path.join(current.workDir, "home", "plugins", `resource-vps-v${VERSION}`);
    expect(fs.statSync(path.join(installed, "pulumi-resource-vps")).mode & 0o111).not.toBe(0);

    const schema = await current.mustRun(["package", "get-schema", "vps"]);
    const checkedIn = JSON.parse(
      fs.readFileSync(path.join(REPO, "provider", "native", "schema.json"), "utf8"),
    ) as unknown;
    expect(JSON.parse(schema.stdout)).toEqual(checkedIn);

    const preview = await current.preview();
    if (preview.code !== 0) throw new Error(`pulumi preview failed:\n${preview.output}`);
    expect(preview.output).not.toMatch(/from \$PATH/);
    expect(server.requests.count({ method: "POST" })).toBe(0);

    const up = await current.up();
    if (up.code !== 0) throw new Error(`pulumi up failed:\n${up.output}`);
    const outputs = await current.outputs();
    expect(outputs.status).toBe("completed");
    const [backup] = await current.resourcesOfType("ServerBackup");
    expect(backup?.id).toBe(String(outputs.backupId));
    // The schema's defaults are documentation for YAML: the inputs are recorded as written.
    expect(backup?.inputs).toEqual({ serverId: 12345, description: "before the deploy" });
    expect((await current.exportState()).text).not.toContain(server.demoToken);

    const destroy = await current.destroy();
    if (destroy.code !== 0) throw new Error(`pulumi destroy failed:\n${destroy.output}`);
    expect(await current.resourcesOfType("ServerBackup")).toEqual([]);
  });
});
