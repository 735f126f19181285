/**
 * A TypeScript program on the generated Node SDK (sdks/nodejs, compiled into the stack's copy)
 * and the native plugin, run by the real engine against the emulator: the same checks as the Go
 * and Python programs (language-program.ts).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as engine from "../../../tools/pulumi-engine/engine.cjs";
import { describeLanguageProgram } from "./language-program";

jest.setTimeout(600_000);

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "./vps-sdk";

const serverId = new pulumi.Config().requireNumber("serverId");
const preDeploy = new vps.ServerBackup("preDeploy", { serverId, description: "before the deploy" });
const completed = vps.getBackupsOutput({ serverId, status: "completed" });

export const backupId = preDeploy.backupId;
export const status = preDeploy.status;
export const sizeMb = preDeploy.sizeMb;
export const completedBackupsBefore = completed.count;
`;

describeLanguageProgram("a TypeScript program on sdks/nodejs and pulumi-resource-vps", {
  program: PROGRAM,
  async prepare(projectDir) {
    const sdk = path.join(engine.REPO_ROOT, "sdks", "nodejs");
    const out = path.join(projectDir, "vps-sdk");
    const tsc = path.join(engine.REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    await promisify(execFile)(process.execPath, [tsc, "-p", sdk, "--outDir", out]);
    // The SDK reads its version from a package.json beside its compiled code.
    fs.copyFileSync(path.join(sdk, "package.json"), path.join(out, "package.json"));
    fs.appendFileSync(
      path.join(projectDir, "Pulumi.yaml"),
      "config:\n  serverId:\n    type: integer\n    default: 12345\n" +
        `plugins:\n  providers:\n    - name: vps\n      path: ${path.join(engine.REPO_ROOT, "bin")}\n`,
    );
  },
});
