/**
 * The providers as Pulumi really runs them: serialized by Pulumi's closure serializer into the
 * `__provider` text, rebuilt with `require-from-string` the way the dynamic provider host does
 * (`requireFromString(text).handler()`), then driven against the emulator. The package is built
 * with `tsc` into a private folder and installed into a throwaway program directory, as a user's
 * `npm install` would, so the rebuilt provider finds `pulumi-vps-backups/provider/runtime` by
 * package name exactly as in the provider process.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type ProviderFixture, emulatedBackup, startProviderFixture } from "../provider-fixtures";
import recordedProviders from "./recorded-providers.json";

/** The documented bound of each serialized provider's `__provider` text (README, "How the provider is stored"). */
const MAX_SERIALIZED_PROVIDER_BYTES = 3 * 1024;
const repoRoot = path.resolve(__dirname, "../../../..");
// The host loads require-from-string from @pulumi/pulumi's dependencies; so do we.
const requireFromString = createRequire(require.resolve("@pulumi/pulumi"))(
  "require-from-string",
) as (code: string) => {
  handler(): pulumi.dynamic.ResourceProvider;
};
// Node's own createRequire: jest replaces `module.createRequire` with its module registry, but the
// rebuilt provider loads modules with Node's, and the test must reach the same module instances.
const nodeCreateRequire = (requireFromString as unknown as (code: string) => typeof createRequire)(
  'module.exports = require("node:module").createRequire;',
);

type ProviderRuntime = typeof import("../../../../provider/runtime");

// Real work (a build, an emulator, a provider rebuilt from text): a budget that fits a loaded machine.
jest.setTimeout(60_000);

let fixture: ProviderFixture;
let scratch: string;
let packageDir: string;
let programDir: string;
let originalCwd: string;
let serialized: { serverBackupProvider: string; serverRestoreProvider: string };

/**
 * Serializes both providers of the built package in a separate Node process, with the call
 * pulumi.dynamic.Resource makes for every resource. A separate process because jest runs tests
 * in a vm context whose functions Pulumi's serializer does not recognise as functions; and that
 * process has the token in its environment, where a careless closure would pick it up.
 */
function serializeBuiltProviders(token: string): typeof serialized {
  const script = `
    const pulumi = require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});
    const providers = require(${JSON.stringify(path.join(packageDir, "dist/provider/serialized-providers.js"))});
    (async () => {
      const result = {};
      for (const name of ["serverBackupProvider", "serverRestoreProvider"]) {
        const provider = providers[name];
        const { text, containsSecrets } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        if (containsSecrets) throw new Error(name + " captured a secret");
        result[name] = text;
      }
      process.stdout.write(JSON.stringify(result));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const output = execFileSync(process.execPath, ["-e", script], {
    cwd: programDir,
    env: { ...process.env, VPS_API_TOKEN: token },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(output) as typeof serialized;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "vps-provider-serialized-"));
  packageDir = path.join(scratch, "pulumi-vps-backups");
  programDir = path.join(scratch, "program");
  execFileSync(
    process.execPath,
    [
      require.resolve("typescript/bin/tsc"),
      "-p",
      path.join(repoRoot, "tsconfig.build.json"),
      "--outDir",
      path.join(packageDir, "dist"),
    ],
    { cwd: repoRoot, stdio: "pipe" },
  );
  copyFileSync(path.join(repoRoot, "package.json"), path.join(packageDir, "package.json"));
  // The package's own dependencies (zod, axios), as npm would have installed them.
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(packageDir, "node_modules"), "dir");
  mkdirSync(path.join(programDir, "node_modules"), { recursive: true });
  symlinkSync(packageDir, path.join(programDir, "node_modules", "pulumi-vps-backups"), "dir");
  fixture = await startProviderFixture();
  serialized = serializeBuiltProviders(fixture.token);
  originalCwd = process.cwd();
}, 120_000);

// Ends every wait a failed test left behind in the built runtime (a passed test leaves none).
afterEach(() => {
  if (packageDir && fixture) {
    builtModule<ProviderRuntime>(
      path.join(packageDir, "dist/provider/runtime.js"),
    ).interruptOperations("test ended");
  }
});

afterAll(async () => {
  process.chdir(originalCwd);
  await fixture?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The built package's modules, loaded by Node itself (not jest), as a program would. */
function builtModule<T>(specifier: string): T {
  return nodeCreateRequire(path.join(programDir, "index.js"))(specifier) as T;
}

function stackConfig(raw: Record<string, string>): pulumi.dynamic.ConfigureRequest {
  const get = (key: string) => raw[key.includes(":") ? key : `program:${key}`];
  return {
    config: { get, require: (key: string) => get(key) ?? "" },
  } as pulumi.dynamic.ConfigureRequest;
}

describe.each([
  ["from a program that installed the package", () => programDir],
  ["from the package's own directory (the repository's demo)", () => packageDir],
])("the serialized ServerBackup provider, run %s", (_name, workingDirectory) => {
  it("is small, holds no token, and creates, reads, diffs and deletes a backup", async () => {
    process.chdir(workingDirectory());
    try {
      const runtime = builtModule<ProviderRuntime>("pulumi-vps-backups/provider/runtime");
      runtime.setSharedClientOptions({ pollSchedule: () => 20 });

      const text = serialized.serverBackupProvider;
      expect(text).not.toContain(fixture.token);
      expect(text).toContain('"pulumi-vps-backups/provider/runtime"');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SERIALIZED_PROVIDER_BYTES);

      const provider = requireFromString(text).handler();
      await provider.configure!(
        stackConfig({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token }),
      );
      const inputs = {
        serverId: fixture.serverIds[0]!,
        description: "serialized",
        triggers: ["v1"],
      };
      const checked = await provider.check!({}, inputs);
      expect(checked.failures).toEqual([]);
      const created = await provider.create(checked.inputs);
      expect(created.outs).toMatchObject({ ...inputs, status: "completed" });
      expect(emulatedBackup(fixture.emulator, Number(created.id))?.status).toBe("completed");

      const read = await provider.read!(created.id, created.outs);
      expect(read).toMatchObject({ id: created.id, props: { backupId: Number(created.id) } });
      const diff = await provider.diff!(created.id, created.outs, { ...inputs, triggers: ["v2"] });
      expect(diff).toMatchObject({ changes: true, replaces: ["triggers"] });

      await provider.delete!(created.id, created.outs);
      expect(emulatedBackup(fixture.emulator, Number(created.id))).toBeUndefined();
    } finally {
      process.chdir(originalCwd);
    }
  });
});

describe("the serialized ServerRestore provider", () => {
  it("is small, holds no token, and restores", async () => {
    process.chdir(programDir);
    try {
      const text = serialized.serverRestoreProvider;
      expect(text).not.toContain(fixture.token);
      expect(text).toContain('"pulumi-vps-backups/provider/runtime"');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SERIALIZED_PROVIDER_BYTES);

      const provider = requireFromString(text).handler();
      await provider.configure!(
        stackConfig({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token }),
      );
      const serverId = fixture.serverIds[1]!;
      const runtime = builtModule<ProviderRuntime>("pulumi-vps-backups/provider/runtime");
      runtime.setSharedClientOptions({ pollSchedule: () => 20 });
      const backup = await runtime.serverBackup.create({ serverId });
      const restored = await provider.create({ serverId, backupId: Number(backup.id) });
      expect(restored.outs).toMatchObject({
        serverId,
        backupId: Number(backup.id),
        status: "active",
      });
      expect(provider.delete).toBeUndefined();
    } finally {
      process.chdir(originalCwd);
    }
  });
});

/**
 * The `__provider` texts this package has ever stored in a stack's state. The engine runs the
 * STORED text to refresh and delete, so each one must keep working against today's runtime: a
 * text is added here when the package starts serializing a new one, and never removed.
 */
const recorded = recordedProviders as {
  serverBackupProvider: string[];
  serverRestoreProvider: string[];
};

describe("the __provider texts recorded in deployed stacks", () => {
  it("include the text the package serializes today", () => {
    expect(recorded.serverBackupProvider).toContain(serialized.serverBackupProvider);
    expect(recorded.serverRestoreProvider).toContain(serialized.serverRestoreProvider);
  });

  it.each(recorded.serverBackupProvider.map((text, index) => [index, text] as const))(
    "ServerBackup text %d still checks, creates, reads, updates, diffs and deletes",
    async (_index, text) => {
      process.chdir(programDir);
      try {
        const provider = requireFromString(text).handler();
        await provider.configure!(
          stackConfig({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token }),
        );
        const inputs = { serverId: fixture.serverIds[2]!, triggers: ["v1"] };
        const checked = await provider.check!({}, inputs);
        expect(checked).toEqual({ inputs, failures: [] });
        const created = await provider.create(checked.inputs);
        expect(created.outs).toMatchObject({ ...inputs, status: "completed" });
        const read = await provider.read!(created.id, created.outs);
        expect(read).toEqual({ id: created.id, props: created.outs });
        const updated = await provider.update!(created.id, created.outs, {
          ...inputs,
          createTimeout: "2h",
        });
        expect(updated.outs).toEqual({ ...created.outs, createTimeout: "2h" });
        const diff = await provider.diff!(created.id, updated.outs!, {
          ...inputs,
          triggers: ["v2"],
        });
        expect(diff).toEqual({ changes: true, replaces: ["triggers"], deleteBeforeReplace: false });
        await provider.delete!(created.id, updated.outs!);
        expect(emulatedBackup(fixture.emulator, Number(created.id))).toBeUndefined();
      } finally {
        process.chdir(originalCwd);
      }
    },
  );

  it.each(recorded.serverRestoreProvider.map((text, index) => [index, text] as const))(
    "ServerRestore text %d still checks, restores, reads, updates and diffs",
    async (_index, text) => {
      process.chdir(programDir);
      try {
        const provider = requireFromString(text).handler();
        await provider.configure!(
          stackConfig({ "vps:apiUrl": fixture.emulator.url, "vps:apiToken": fixture.token }),
        );
        const serverId = fixture.serverIds[3]!;
        const runtime = builtModule<ProviderRuntime>("pulumi-vps-backups/provider/runtime");
        const backupId = Number((await runtime.serverBackup.create({ serverId })).id);
        const inputs = { serverId, backupId };
        const checked = await provider.check!({}, inputs);
        expect(checked).toEqual({ inputs, failures: [] });
        const created = await provider.create(checked.inputs);
        expect(created.outs).toMatchObject({ ...inputs, status: "active" });
        const read = await provider.read!(created.id, created.outs);
        expect(read).toMatchObject({ id: created.id, props: { ...inputs, status: "active" } });
        const updated = await provider.update!(created.id, created.outs, {
          ...inputs,
          timeout: "1h",
        });
        expect(updated.outs).toMatchObject({ ...inputs, timeout: "1h", status: "active" });
        const diff = await provider.diff!(created.id, updated.outs!, { ...inputs, timeout: "1h" });
        expect(diff).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
      } finally {
        process.chdir(originalCwd);
      }
    },
  );
});
