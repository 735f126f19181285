/**
 * examples/go-quickstart, a Go program on the Go SDK generated from the plugin's schema
 * (sdks/go), run by the real engine's Go language host against the emulator: see
 * language-program.ts for the checks. The Go host compiles the program on every `pulumi up`
 * (a minute or more on a loaded machine), hence the budget.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import { describeLanguageProgram } from "./language-program";

jest.setTimeout(1_800_000);

describeLanguageProgram("examples/go-quickstart on pulumi-resource-vps", {
  example: "go-quickstart",
  async prepare(projectDir) {
    // The copy lives in a temporary folder: point its `replace` at this checkout's SDK.
    await promisify(execFile)(
      "go",
      [
        "mod",
        "edit",
        `-replace=github.com/pulumi-vps-backups/pulumi-vps-backups/sdks/go=${path.join(engine.REPO_ROOT, "sdks", "go")}`,
      ],
      { cwd: projectDir },
    );
    // Compile once before `pulumi up` (which compiles again, from Go's build cache): a cold
    // compile of the Pulumi Go SDK takes minutes on a loaded machine, more than a run may.
    await promisify(execFile)("go", ["build", "-o", path.join(projectDir, "program.bin"), "."], {
      cwd: projectDir,
    });
  },
});
