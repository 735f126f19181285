/**
 * The checks every language's quick start goes through with the native plugin under the real
 * engine, against its own emulator: up creates the backup and waits for it, `pulumi import`
 * records a backup made outside Pulumi, refresh drops a backup deleted out of band, destroy
 * deletes what is left. Shared by the Go and Python program tests (go-program.test.ts,
 * python-program.test.ts); each gives the example and how to prepare its copy.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { VpsClient } from "../../../sdk";
import { PulumiStack } from "../../../tools/pulumi-engine/stack";
import { expectSuccess } from "../../support/pulumi-run";
import { manualBackupIds } from "../../support/emulator";

const SERVER = 12345;

export interface LanguageProgram {
  /** The folder under examples/, or omit it and give `program` (TypeScript). */
  example?: string;
  program?: string;
  /** Extra environment of every pulumi run of the stack. */
  env?: () => Record<string, string>;
  /** Makes the copied project runnable (paths to this checkout, a virtualenv, ...). */
  prepare(projectDir: string): void | Promise<void>;
}

export function describeLanguageProgram(title: string, program: LanguageProgram): void {
  describe(title, () => {
    let emulator: RunningEmulator;
    let stack: PulumiStack | undefined;

    beforeEach(async () => {
      emulator = await startEmulator({ timeScale: 0.05, autoBackupIntervalMs: 0 });
    });

    afterEach(async () => {
      if (stack) await stack.dispose();
      stack = undefined;
      await emulator.stop();
    });

    it("up waits for the backup, import adopts one, refresh drops a deleted one, destroy deletes", async () => {
      const seeded = manualBackupIds(emulator);
      stack = await PulumiStack.create({
        example: program.example,
        program: program.program,
        config: { "vps:apiUrl": emulator.url },
        secretConfig: { "vps:apiToken": emulator.demoToken },
        env: program.env?.() ?? {},
      });
      await program.prepare(stack.projectDir);

      expectSuccess("pulumi up", await stack.up());
      const outputs = await stack.outputs();
      expect(outputs.status).toBe("completed");
      expect(outputs.sizeMb).toEqual(expect.any(Number));
      expect(outputs.completedBackupsBefore).toEqual(expect.any(Number));
      const made = Number(outputs.backupId);
      expect(manualBackupIds(emulator)).toEqual([...seeded, made].sort((a, b) => a - b));
      const [backup] = await stack.resourcesOfType("ServerBackup");
      expect(backup?.type).toBe("vps:index:ServerBackup");
      expect(backup?.id).toBe(String(made));
      expect(JSON.stringify(await stack.exportState())).not.toContain(emulator.demoToken);

      // A backup made outside Pulumi, adopted by `pulumi import`.
      const client = new VpsClient({ baseUrl: emulator.url, apiToken: emulator.demoToken });
      const existing = await client.createBackup({
        serverId: SERVER,
        description: "made outside Pulumi",
      });
      await client.waitForBackup(existing.id, { serverId: SERVER });
      expectSuccess(
        "pulumi import",
        await stack.run([
          "import",
          "vps:index:ServerBackup",
          "adopted",
          String(existing.id),
          "--yes",
          "--non-interactive",
          "--protect=false",
          "--generate-code=false",
        ]),
      );
      const adopted = (await stack.resourcesOfType("ServerBackup")).find((resource) =>
        resource.urn.endsWith("::adopted"),
      );
      expect(adopted?.id).toBe(String(existing.id));
      expect(adopted?.inputs).toMatchObject({
        serverId: SERVER,
        description: "made outside Pulumi",
      });

      // The program's backup deleted out of band: refresh drops it from the state.
      await client.deleteBackup(made);
      expectSuccess("pulumi refresh", await stack.refresh());
      const afterRefresh = await stack.resourcesOfType("ServerBackup");
      expect(afterRefresh.map((resource) => resource.id)).toEqual([String(existing.id)]);

      expectSuccess("pulumi destroy", await stack.destroy());
      expect(manualBackupIds(emulator)).toEqual(seeded);
      expect(await stack.resourcesOfType("ServerBackup")).toEqual([]);
    });
  });
}
