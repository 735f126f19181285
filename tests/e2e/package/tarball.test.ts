/**
 * The packed package, installed as a user installs it: `npm pack`, then `npm install` of the
 * tarball into an empty project where neither @pulumi/pulumi nor fastify is installed (both are
 * optional peers). The client entry works there, the emulator entry says what to install, and
 * the tarball ships the LICENSE.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const PACKAGE = "pulumi-vps-backups";
/** npm install on a busy machine: generous, it is real work (network, disk). */
const INSTALL_BUDGET_MS = 10 * 60 * 1000;

// Each test starts node in the installed project: seconds of real work on a busy machine.
jest.setTimeout(120_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** Runs a CommonJS snippet with node in the project. */
function node(project: string, source: string): Promise<Run> {
  return run(process.execPath, ["-e", source], project);
}

describe("the packed package, installed without @pulumi/pulumi and fastify", () => {
  let workDir: string;
  let project: string;
  let tarball: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO_ROOT, "dist", "sdk", "index.js"))) {
      throw new Error("dist/ is missing: run `npm run build` first");
    }
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-tarball-"));
    const packed = await mustRun(
      "npm",
      ["pack", "--json", "--pack-destination", workDir],
      REPO_ROOT,
    );
    const [info] = JSON.parse(packed.stdout) as { filename: string }[];
    if (!info) throw new Error(`npm pack printed no file:\n${packed.stdout}`);
    tarball = path.join(workDir, info.filename);
    project = path.join(workDir, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "sdk-only-user", version: "1.0.0", private: true }),
    );
    await mustRun(
      "npm",
      ["install", tarball, "--no-audit", "--no-fund", "--omit=peer", "--prefer-offline"],
      project,
    );
  }, INSTALL_BUDGET_MS);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("ships the Apache-2.0 LICENSE", async () => {
    const listing = await mustRun("tar", ["-tzf", tarball], workDir);
    expect(listing.stdout.split("\n")).toContain("package/LICENSE");
    const license = fs.readFileSync(path.join(project, "node_modules", PACKAGE, "LICENSE"), "utf8");
    expect(license).toContain("Apache License");
    expect(license).toContain("Version 2.0, January 2004");
    expect(license).toBe(fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8"));
  });

  it("installs neither @pulumi/pulumi nor fastify", () => {
    const modules = path.join(project, "node_modules");
    expect(fs.existsSync(path.join(modules, PACKAGE, "package.json"))).toBe(true);
    expect(fs.existsSync(path.join(modules, "@pulumi", "pulumi"))).toBe(false);
    expect(fs.existsSync(path.join(modules, "fastify"))).toBe(false);
  });

  it("pulumi-vps-backups/sdk loads and builds a client, loading neither", async () => {
    const result = await node(
      project,
      `const sdk = require("${PACKAGE}/sdk");
       const client = new sdk.VpsClient({ apiToken: "x" });
       const loaded = Object.keys(require.cache).filter((file) =>
         /node_modules[\\\\/](@pulumi[\\\\/]pulumi|fastify)[\\\\/]/.test(file));
       console.log(JSON.stringify({ client: typeof client.listBackups, loaded }));`,
    );
    if (result.code !== 0) throw new Error(`require failed:\n${result.stderr}`);
    expect(JSON.parse(result.stdout)).toEqual({ client: "function", loaded: [] });
  });

  it("pulumi-vps-backups/emulator says to install fastify", async () => {
    const result = await node(project, `require("${PACKAGE}/emulator");`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("needs fastify");
    expect(result.stderr).toContain("npm install --save-dev fastify@");
    expect(result.stderr).not.toContain("Cannot find module");
  });

  it("the vps-emulator command says to install fastify", async () => {
    const result = await run(
      path.join(project, "node_modules", ".bin", "vps-emulator"),
      ["--help"],
      project,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("npm install --save-dev fastify@");
  });

  it("the package root (the Pulumi provider) needs @pulumi/pulumi", async () => {
    const result = await node(project, `require("${PACKAGE}");`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("@pulumi/pulumi");
  });
});
