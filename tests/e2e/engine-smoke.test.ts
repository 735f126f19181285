/**
 * Smoke test of the offline engine provisioning: the real Pulumi CLI runs `up` and `destroy`
 * of a one-resource stack with a trivial dynamic resource, on a local file backend, with no
 * network. If this fails, nothing else in tests/e2e can be trusted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as engine from "../../tools/pulumi-engine/engine.cjs";

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const provider = {
  async create(inputs) { return { id: "smoke-" + inputs.value, outs: { value: inputs.value, doubled: inputs.value * 2 } }; },
  async delete() {},
};
const thing = new pulumi.dynamic.Resource(provider, "thing", { value: Number(process.env.SMOKE_VALUE), doubled: undefined }, {});
exports.doubled = thing.doubled;
`;

describe("the real Pulumi engine, provisioned offline", () => {
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    const engineDir = engine.ensurePulumi();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-smoke-"));
    const projectDir = path.join(workDir, "project");
    fs.mkdirSync(projectDir);
    fs.writeFileSync(
      path.join(projectDir, "Pulumi.yaml"),
      "name: smoke\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    );
    fs.writeFileSync(path.join(projectDir, "package.json"), '{"name":"smoke","main":"index.js"}');
    fs.writeFileSync(path.join(projectDir, "index.js"), PROGRAM);
    fs.symlinkSync(
      path.join(engine.REPO_ROOT, "node_modules"),
      path.join(projectDir, "node_modules"),
    );
    const value = String(1000 + Math.floor(Math.random() * 9000));
    env = engine.pulumiEnv({ engineDir, workDir, extra: { SMOKE_VALUE: value } });
  });

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("runs up and destroy of a dynamic resource on a local backend", async () => {
    const cwd = path.join(workDir, "project");
    const value = Number(env.SMOKE_VALUE);

    const version = await engine.runPulumi(["version"], { cwd, env });
    expect(version.stdout.trim()).toBe(`v${engine.ENGINE_VERSION}`);

    const init = await engine.runPulumi(["stack", "init", "smoke", "--non-interactive"], {
      cwd,
      env,
    });
    expect(init.code).toBe(0);

    const up = await engine.runPulumi(["up", "--yes", "--non-interactive", "--skip-preview"], {
      cwd,
      env,
    });
    expect(up.stderr + up.stdout).not.toMatch(/error:/);
    expect(up.code).toBe(0);

    const outputs = await engine.runPulumi(["stack", "output", "--json"], { cwd, env });
    expect(JSON.parse(outputs.stdout)).toEqual({ doubled: value * 2 });

    const exported = await engine.runPulumi(["stack", "export"], { cwd, env });
    const deployment = JSON.parse(exported.stdout).deployment;
    const dynamic = deployment.resources.filter(
      (r: { type: string }) => r.type === "pulumi-nodejs:dynamic:Resource",
    );
    expect(dynamic).toHaveLength(1);
    expect(dynamic[0].id).toBe(`smoke-${value}`);

    const destroy = await engine.runPulumi(
      ["destroy", "--yes", "--non-interactive", "--skip-preview"],
      { cwd, env },
    );
    expect(destroy.code).toBe(0);
    const after = await engine.runPulumi(["stack", "export"], { cwd, env });
    expect(JSON.parse(after.stdout).deployment.resources ?? []).toHaveLength(0);
  }, 300_000);
});
