/**
 * The native plugin under a TypeScript program (tests/fixtures/native-node): a PulumiStack of
 * that fixture, and an emulator whose request log keeps the order of the calls, so a test can
 * tell a create-before-delete from a delete-before-create.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { PulumiStack } from "../../tools/pulumi-engine/stack";
import { startFastEmulator } from "./emulator";

const FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "native-node");

/** An emulator and the API requests it answered, in order, as `METHOD /path status`. */
export interface LoggedEmulator {
  emulator: RunningEmulator;
  /** Every answered request (control ones included), oldest first. */
  requestLog: string[];
}

/** Starts a fast emulator (port 0, no automatic backups) that logs each request in order. */
export async function startLoggedEmulator(options: EmulatorOptions = {}): Promise<LoggedEmulator> {
  const requestLog: string[] = [];
  const emulator = await startFastEmulator({
    ...options,
    log: (line) => requestLog.push(line.replace(/ [\d.]+ms$/, "")),
  });
  return { emulator, requestLog };
}

/** The POST and DELETE calls of the API in a request log, in order. */
export function mutatingCalls(requestLog: readonly string[]): string[] {
  return requestLog.filter((line) => /^(POST|DELETE) /.test(line) && !line.includes("/_emulator/"));
}

/**
 * Creates a stack of the fixture program with this config (plain and secret). The fixture's
 * Pulumi.yaml is written under the project name the stack was created for.
 */
export async function nativeNodeStack(options: {
  config?: Record<string, string>;
  secretConfig?: Record<string, string>;
  env?: Record<string, string>;
}): Promise<PulumiStack> {
  const stack = await PulumiStack.create({
    program: fs.readFileSync(path.join(FIXTURE_DIR, "index.ts"), "utf8"),
    ...options,
  });
  try {
    fs.copyFileSync(path.join(FIXTURE_DIR, "vps.ts"), path.join(stack.projectDir, "vps.ts"));
    const projectFile = path.join(stack.projectDir, "Pulumi.yaml");
    const projectName = /^name: (.+)$/m.exec(fs.readFileSync(projectFile, "utf8"))?.[1];
    if (!projectName) throw new Error(`no project name in ${projectFile}`);
    const fixture = fs.readFileSync(path.join(FIXTURE_DIR, "Pulumi.yaml"), "utf8");
    fs.writeFileSync(projectFile, fixture.replace(/^name: .+$/m, `name: ${projectName}`));
  } catch (error) {
    await stack.dispose();
    throw error;
  }
  return stack;
}

export { expectSuccess } from "./pulumi-run";
