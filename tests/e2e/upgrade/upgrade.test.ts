/**
 * Stacks deployed with an earlier release must not notice an upgrade of this package.
 *
 * Every `ServerBackup` and `ServerRestore` in a stack's state carries the provider stub of the
 * release that deployed it, and the engine runs THAT stub for refresh and destroy: it loads
 * `pulumi-vps-backups/provider/runtime` and calls `configure`, `serverBackup.read/delete/…` and
 * `serverRestore.…` on it, with the state's property names. tests/fixtures/upgrade/ holds
 * stacks recorded with an earlier release (see record.mjs there). Each is imported into a stack
 * whose program uses the code of this checkout, against an emulator seeded with the recorded
 * inventory (same ids, same token), and must:
 *   - preview with no changes: no create, replace or delete, and no update either, except the
 *     backup recorded while still in progress (its createTimeout ran out), whose planned
 *     update is the documented resumption of the wait;
 *   - refresh with no changes (the recorded outputs read back as they are);
 *   - make no API call but reads until destroy;
 *   - destroy cleanly, deleting exactly the backups the stack owns (an adopted backup is
 *     owned and deleted, unless retainOnDelete), and leave the platform as before the stack.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningEmulator, type SeedDocument, startEmulator } from "../../../emulator";
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import { PROGRAM_TSCONFIG } from "../../../tools/pulumi-engine/stack";

jest.setTimeout(600_000);

const FIXTURES = path.join(engine.REPO_ROOT, "tests", "fixtures", "upgrade");
const STACK = "upgrade";
const DEMO_TOKEN = "YOUR_API_TOKEN";
/** Where the fixtures say the API was (record.mjs): the replay puts its emulator's URL there. */
const RECORDED_API_URL = "http://127.0.0.1:8080/api/v1";

interface UpgradeCase {
  /** Resource names the preview may update in place (nothing else may change). */
  updates: string[];
  /** Backups of the stack that destroy deletes. */
  deletes: number[];
  /** Backups of the inventory before the stack that destroy deletes (adopted ones). */
  adoptedAndDeleted: number[];
}

const CASES: Record<string, UpgradeCase> = {
  "adopted-backup": { updates: [], deletes: [499], adoptedAndDeleted: [499] },
  "backup-with-triggers": { updates: [], deletes: [500], adoptedAndDeleted: [] },
  "partial-backup": { updates: ["slow"], deletes: [500], adoptedAndDeleted: [] },
  "server-restore": { updates: [], deletes: [500], adoptedAndDeleted: [] },
};

function readJson<T>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, ...parts), "utf8")) as T;
}

/** Each server's backups and status, for before/after comparisons. */
function platform(seedOrInventory: {
  accounts: { servers?: { id: number; status?: string; backups?: { id: number }[] }[] }[];
}): Record<string, { status: string | undefined; backups: number[] }> {
  const servers: Record<string, { status: string | undefined; backups: number[] }> = {};
  for (const account of seedOrInventory.accounts) {
    for (const server of account.servers ?? []) {
      servers[server.id] = {
        status: server.status,
        backups: (server.backups ?? []).map((backup) => backup.id).sort((a, b) => a - b),
      };
    }
  }
  return servers;
}

interface RecordedStack {
  deployment: {
    resources?: { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[];
  };
}

interface PreviewJson {
  steps?: { op: string; urn: string }[];
  changeSummary?: Record<string, number>;
}

describe("stacks recorded with an earlier release", () => {
  let emulator: RunningEmulator | undefined;
  let workDir: string | undefined;
  let projectDir = "";
  let env: NodeJS.ProcessEnv = {};

  async function pulumi(
    args: string[],
  ): Promise<{ code: number | null; stdout: string; output: string }> {
    const result = await engine.runPulumi(args, { cwd: projectDir, env });
    return {
      code: result.code,
      stdout: result.stdout,
      output: `${result.stdout}\n${result.stderr}`,
    };
  }
  async function mustPulumi(args: string[]): Promise<string> {
    const result = await engine.runPulumi(args, { cwd: projectDir, env });
    if (result.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
      );
    }
    return result.stdout;
  }

  afterEach(async () => {
    if (workDir) {
      await pulumi(["stack", "rm", "--yes", "--force", STACK]);
      fs.rmSync(workDir, { recursive: true, force: true });
    }
    workDir = undefined;
    await emulator?.stop();
    emulator = undefined;
  });

  it("covers every recorded fixture", () => {
    const recorded = fs
      .readdirSync(FIXTURES)
      .filter((name) => fs.existsSync(path.join(FIXTURES, name, "stack.json")))
      .sort();
    expect(recorded).toEqual(Object.keys(CASES).sort());
  });

  it("fixtures hold no machine path and no token but the emulator's demo token", () => {
    for (const name of Object.keys(CASES)) {
      for (const file of ["stack.json", "seed.json"]) {
        const text = fs.readFileSync(path.join(FIXTURES, name, file), "utf8");
        expect(text).not.toMatch(/(^|["\s])(\/work|\/home|\/tmp|\/root|\/Users)\//m);
        const tokens = [...text.matchAll(/"token":\s*"([^"]*)"/g)].map((match) => match[1]);
        expect(tokens.every((token) => token === DEMO_TOKEN)).toBe(true);
      }
    }
  });

  it.each(Object.keys(CASES))(
    "%s: previews and refreshes with no changes, reads only, and destroys cleanly",
    async (name) => {
      const expected = CASES[name]!;
      const seed = readJson<SeedDocument>(name, "seed.json");
      const before = readJson<SeedDocument>("seed-before.json");
      const exported = readJson<RecordedStack>(name, "stack.json");

      emulator = await startEmulator({ seed, timeScale: 0.05, autoBackupIntervalMs: 0 });
      // A backup recorded in progress stays in progress for the whole replay.
      for (const account of seed.accounts) {
        for (const server of account.servers ?? []) {
          for (const backup of server.backups ?? []) {
            if (backup.status === "in_progress") emulator.state.makeStuck(backup.id);
          }
        }
      }

      // The recorded program, with this checkout's package (node_modules links it).
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-upgrade-"));
      projectDir = path.join(workDir, "project");
      fs.mkdirSync(projectDir);
      const project = `vps-upgrade-${name}`;
      fs.writeFileSync(
        path.join(projectDir, "Pulumi.yaml"),
        `name: ${project}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
      );
      fs.writeFileSync(
        path.join(projectDir, "package.json"),
        JSON.stringify({ name: project, private: true, main: "index.ts" }),
      );
      fs.writeFileSync(path.join(projectDir, "tsconfig.json"), JSON.stringify(PROGRAM_TSCONFIG));
      fs.copyFileSync(path.join(FIXTURES, name, "index.ts"), path.join(projectDir, "index.ts"));
      fs.symlinkSync(
        path.join(engine.REPO_ROOT, "node_modules"),
        path.join(projectDir, "node_modules"),
      );
      env = engine.pulumiEnv({ engineDir: engine.ensurePulumi(), workDir });

      await mustPulumi(["stack", "init", STACK, "--non-interactive"]);
      await mustPulumi(["config", "set", "--plaintext", "vps:apiUrl", emulator.url]);
      await mustPulumi(["config", "set", "--secret", "vps:apiToken", DEMO_TOKEN]);
      // The stack config's vps:apiUrl is also recorded in the default provider's inputs.
      const stackFile = path.join(workDir, "stack.json");
      fs.writeFileSync(
        stackFile,
        fs
          .readFileSync(path.join(FIXTURES, name, "stack.json"), "utf8")
          .split(RECORDED_API_URL)
          .join(emulator.url),
      );
      await mustPulumi(["stack", "import", "--file", stackFile]);

      // Preview: no step but `same`, except the documented resumption of an unfinished backup.
      const previewArgs = ["preview", "--json", "--non-interactive"];
      if (expected.updates.length === 0) previewArgs.push("--expect-no-changes");
      const preview = await pulumi(previewArgs);
      if (preview.code !== 0) throw new Error(`preview of ${name} failed:\n${preview.output}`);
      const plan = JSON.parse(preview.stdout) as PreviewJson;
      const changed = (plan.steps ?? []).filter((step) => step.op !== "same");
      expect(changed.map((step) => `${step.op} ${step.urn.split("::").pop()}`)).toEqual(
        expected.updates.map((resource) => `update ${resource}`),
      );

      // Refresh through the stored provider stubs: the recorded outputs read back unchanged.
      // The partial create's refresh is an update in the engine's eyes (it clears the recorded
      // initialization error), so there the outputs are compared instead of expecting none.
      const refreshArgs = ["refresh", "--yes", "--non-interactive", "--skip-preview"];
      if (expected.updates.length === 0) refreshArgs.push("--expect-no-changes");
      const refresh = await pulumi(refreshArgs);
      if (refresh.code !== 0) throw new Error(`refresh of ${name} failed:\n${refresh.output}`);
      const afterRefresh = JSON.parse(await mustPulumi(["stack", "export"])) as RecordedStack;
      const summary = (stack: RecordedStack) =>
        (stack.deployment.resources ?? [])
          .filter((resource) => !resource.type.startsWith("pulumi:providers:"))
          .map(({ urn, id, outputs }) => ({ urn, id, outputs }));
      expect(summary(afterRefresh)).toEqual(summary(exported));
      expect(JSON.stringify(afterRefresh)).not.toContain("pendingReplacement");

      // Nothing but reads so far.
      const beforeDestroy = emulator.requests.rows();
      expect(beforeDestroy.filter((row) => row.method !== "GET")).toEqual([]);
      expect(beforeDestroy.every((row) => row.status === 200)).toBe(true);

      // Destroy through the stored stubs: exactly the stack's own backups are deleted.
      emulator.requests.clear();
      const destroy = await pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
      if (destroy.code !== 0) throw new Error(`destroy of ${name} failed:\n${destroy.output}`);
      const mutations = emulator.requests.rows().filter((row) => row.method !== "GET");
      expect(mutations).toEqual([
        {
          method: "DELETE",
          route: "/backups/{backupId}/",
          status: 204,
          count: expected.deletes.length,
        },
      ]);
      const left = JSON.parse(await mustPulumi(["stack", "export"])) as {
        deployment: { resources?: unknown[]; pending_operations?: unknown[] };
      };
      expect(left.deployment.resources ?? []).toEqual([]);
      expect(left.deployment.pending_operations ?? []).toEqual([]);

      // The platform is as it was before the stack (minus the adopted backups it owned).
      const expectedAfter = platform(before);
      for (const server of Object.values(expectedAfter)) {
        server.backups = server.backups.filter((id) => !expected.adoptedAndDeleted.includes(id));
      }
      expect(platform(emulator.state.inventory())).toEqual(expectedAfter);
      await mustPulumi(["stack", "rm", "--yes", STACK]);
      fs.rmSync(workDir, { recursive: true, force: true });
      workDir = undefined;
    },
  );
});
