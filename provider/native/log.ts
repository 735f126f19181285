/**
 * Messages to the engine, shown on a resource's line. Works because main.ts sets
 * `PULUMI_NODEJS_ENGINE` before `@pulumi/pulumi` loads; without an engine (tests), messages go
 * to stderr, never stdout (the engine reads the plugin's port from stdout).
 */
import * as pulumi from "@pulumi/pulumi";

/** A stand-in for the Resource `pulumi.log` wants: it only reads `urn`. */
function resourceRef(urn: string): pulumi.Resource {
  return { urn: { promise: () => Promise.resolve(urn) } } as unknown as pulumi.Resource;
}

/**
 * Logs `message` on the resource `urn`; `ephemeral` messages show in its status column while
 * the operation runs (progress) and are not kept in the final output.
 */
export function logToResource(urn: string | undefined, message: string, ephemeral = false): void {
  if (!pulumi.runtime.hasEngine()) {
    process.stderr.write(`${message}\n`);
    return;
  }
  void pulumi.log.info(message, urn ? resourceRef(urn) : undefined, undefined, ephemeral);
}
