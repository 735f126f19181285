/**
 * The emulator runs on fastify, an optional peer dependency of this package: programs that
 * only use the provider or the sdk never install it. Loaded first by the emulator's entry so
 * that a missing fastify fails with what to install instead of a bare "Cannot find module".
 */
const FASTIFY_RANGE = "^5";

function fastifyIsInstalled(): boolean {
  try {
    require.resolve("fastify");
    return true;
  } catch {
    return false;
  }
}

if (!fastifyIsInstalled()) {
  const error = new Error(
    `pulumi-vps-backups/emulator (and the vps-emulator command) needs fastify, an optional ` +
      `peer dependency that is not installed: run \`npm install --save-dev fastify@${FASTIFY_RANGE}\` ` +
      `in your project. The client (pulumi-vps-backups/sdk) and the provider do not need it.`,
  );
  (error as NodeJS.ErrnoException).code = "VPS_EMULATOR_NEEDS_FASTIFY";
  throw error;
}

export {};
