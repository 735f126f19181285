/**
 * Entry point of the `pulumi-resource-vps` plugin (run by `bin/pulumi-resource-vps`).
 *
 * The engine starts it with its own address as the last argument and reads the port of the
 * plugin's gRPC server from the FIRST line of stdout, so nothing may be printed before the
 * server is up. `PULUMI_NODEJS_ENGINE` must hold the engine address before `@pulumi/pulumi` is
 * loaded, so that `pulumi.log` reaches the engine (and the resource's line) instead of stdout;
 * hence no static import here: the plugin is required after the environment is set.
 */
import { engineAddressFromArgs } from "./args";

const args = process.argv.slice(2);
const engineAddress = engineAddressFromArgs(args);
if (engineAddress !== undefined && !process.env.PULUMI_NODEJS_ENGINE) {
  process.env.PULUMI_NODEJS_ENGINE = engineAddress;
}

const { serve } = require("./plugin") as typeof import("./plugin");
serve(args).catch((error: unknown) => {
  process.stderr.write(
    `pulumi-resource-vps: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
