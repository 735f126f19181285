/**
 * Global setup of the e2e tier: finds (or builds, minutes on a cold machine) the Pulumi engine
 * once, before any test's clock starts, and hands its folder to every test file through the
 * environment, so no test spends its budget looking for it.
 */
import * as engine from "../../tools/pulumi-engine/engine.cjs";

export default function locatePulumiEngine(): void {
  process.env[engine.ENGINE_DIR_VARIABLE] = engine.ensurePulumi();
}
