/**
 * The generated SDKs under sdks/ are exactly what tools/pulumi-sdkgen writes from
 * provider/native/schema.json today: a schema change without `npm run gen-sdks` (or a hand edit
 * of generated code) fails here. In the e2e tier because it builds the Go generator (about a
 * minute on warm Go caches, once per change of its sources). It also typechecks the Node SDK.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as sdkgen from "../../../tools/pulumi-sdkgen/generate.cjs";

/** Every file under `dir`, as paths relative to it with forward slashes, sorted. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"),
    )
    .sort();
}

/** What differs between the committed tree and a fresh one, one line per file. */
function differences(committed: string, fresh: string): string[] {
  const lines: string[] = [];
  const before = new Set(filesUnder(committed));
  const after = new Set(filesUnder(fresh));
  for (const file of after) {
    if (!before.has(file)) lines.push(`missing: ${file}`);
    else if (
      !fs.readFileSync(path.join(committed, file)).equals(fs.readFileSync(path.join(fresh, file)))
    )
      lines.push(`differs: ${file}`);
  }
  for (const file of before) if (!after.has(file)) lines.push(`not generated any more: ${file}`);
  return lines;
}

describe("generated SDKs (sdks/)", () => {
  let outDir: string;

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-sdks-"));
    sdkgen.generateSdks({ outDir, log: () => undefined });
  });

  afterAll(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it.each(sdkgen.LANGUAGES)("%s matches the schema", (language) => {
    const drift = differences(path.join(sdkgen.SDKS_DIR, language), path.join(outDir, language));
    if (drift.length > 0) {
      throw new Error(
        `sdks/${language} is out of step with provider/native/schema.json; run \`npm run gen-sdks\` ` +
          `and commit the result.\n${drift.join("\n")}`,
      );
    }
    expect(filesUnder(path.join(outDir, language)).length).toBeGreaterThan(0);
  });

  // With its own tsconfig (stricter than the one node-sdk-program.test.ts compiles it with),
  // against the @pulumi/pulumi this project pins.
  it("nodejs typechecks with its own tsconfig against the project's @pulumi/pulumi", async () => {
    const tsc = path.join(__dirname, "..", "..", "..", "node_modules", "typescript", "bin", "tsc");
    await promisify(execFile)(process.execPath, [
      tsc,
      "-p",
      path.join(sdkgen.SDKS_DIR, "nodejs"),
      "--noEmit",
    ]);
  });
});
