/**
 * examples/python-quickstart, a Python program on the Python SDK generated from the plugin's
 * schema (sdks/python), run by the real engine's Python language host against the emulator: see
 * language-program.ts for the checks. The program's virtualenv (`pulumi` from PyPI and
 * sdks/python) is made once per SDK content under .pulumi-python/, outside the test's budget.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as python from "../../../tools/pulumi-python/build.cjs";
import { describeLanguageProgram } from "./language-program";

jest.setTimeout(600_000);

let venv: string;

beforeAll(() => {
  venv = python.ensurePythonVenv({ log: () => undefined });
});

describeLanguageProgram("examples/python-quickstart on pulumi-resource-vps", {
  example: "python-quickstart",
  // The Python host that builds here (sdk/v3 v3.68.0) reads Pulumi.yaml's `virtualenv` option
  // only from its command line, which this CLI no longer passes (it sends runtime options over
  // gRPC): without this it runs the system python3, which has no `pulumi` package.
  env: () => ({ PULUMI_PYTHON_CMD: path.join(venv, "bin", "python") }),
  prepare(projectDir) {
    // Pulumi.yaml names ./venv: the shared one, already holding pulumi and the SDK.
    fs.symlinkSync(venv, path.join(projectDir, "venv"));
  },
});
