#!/usr/bin/env node
// `npm run ensure-pulumi`: makes the real Pulumi engine available (building it from its Go
// modules when needed) and prints the folder that holds it as the last line of stdout.
import engine from "../tools/pulumi-engine/engine.cjs";

try {
  const started = Date.now();
  const dir = engine.ensurePulumi();
  process.stderr.write(`Pulumi engine ready in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  process.stdout.write(`${dir}\n`);
} catch (error) {
  process.stderr.write(`ensure-pulumi: ${error.message}\n`);
  process.exit(1);
}
