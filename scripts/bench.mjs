#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only <id>]`: builds dist/ (the Pulumi provider process loads
// the package from there), then runs bench/run.ts with the project's Node through ts-node
// (transpile only: the typecheck is `npm run typecheck`'s job). Arguments pass through.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const projectNode = path.join(root, "node_modules", "node", "bin", "node");
const nodeBinary =
  Number(process.versions.node.split(".")[0]) >= 22 ? process.execPath : projectNode;

function run(args, env = process.env) {
  const result = spawnSync(nodeBinary, args, { cwd: root, stdio: "inherit", env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

process.stderr.write("[bench] building dist/ (tsc -p tsconfig.build.json)\n");
const built = run([
  path.join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
]);
if (built !== 0) process.exit(built);

const env = {
  ...process.env,
  TS_NODE_TRANSPILE_ONLY: "true",
  // The engine and the worker processes must find the project's Node first.
  PATH: [path.join(root, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
};
process.exit(
  run(
    [
      "-r",
      "ts-node/register/transpile-only",
      path.join(root, "bench", "run.ts"),
      ...process.argv.slice(2),
    ],
    env,
  ),
);
