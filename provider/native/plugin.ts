/**
 * The `pulumi-resource-vps` provider: `@pulumi/pulumi/provider`'s gRPC server, with each call's
 * request recovered (context.ts), secrets unwrapped (values.ts), Configure turned into the
 * plugin's account (credentials.ts), one `OperationContext` per call whose waits Cancel aborts
 * (operation-context.ts), and the resource logic reached through bindings.ts only.
 */
import * as provider from "@pulumi/pulumi/provider";
import { FUNCTIONS, RESOURCES, type ResourceBinding } from "./bindings";
import { installRequestContext, onConfigure, requestTimeoutSeconds } from "./context";
import {
  credentialsFromConfigure,
  credentialsFromPulumiConfig,
  providerCredentials,
  useCredentials,
} from "./credentials";
import { logToResource } from "./log";
import { NativeOperations } from "./operation-context";
import { PACKAGE_SCHEMA, PLUGIN_VERSION } from "./schema";
import { plainProperties, typeOfUrn } from "./values";

function bindingOf(urn: string): ResourceBinding {
  const type = typeOfUrn(urn);
  const binding = RESOURCES[type];
  if (!binding)
    throw new Error(
      `unknown resource type ${type} (this plugin serves ${Object.keys(RESOURCES).join(", ")})`,
    );
  return binding;
}

/**
 * The provider object handed to `@pulumi/pulumi/provider`'s `main`, over `operations` (the
 * calls of this process: their contexts and Cancel).
 */
export function vpsProvider(operations: NativeOperations): provider.Provider {
  return {
    version: PLUGIN_VERSION,
    getSchema: async () => JSON.stringify(PACKAGE_SCHEMA),
    check: async (urn, _olds, news) => bindingOf(urn).check(plainProperties(news)),
    diff: async (_id, urn, olds, news) =>
      bindingOf(urn).diff(plainProperties(olds), plainProperties(news)),
    create: (urn, inputs) =>
      operations.run(
        { urn, timeoutSeconds: requestTimeoutSeconds(), timeoutKind: "create" },
        (context) => bindingOf(urn).create(plainProperties(inputs), context),
      ),
    read: (id, urn, props) =>
      operations.run({ urn }, async (context) => {
        const plain = plainProperties(props);
        const importing = Object.keys(plain).length === 0;
        return (await bindingOf(urn).read(id, plain, importing, context)) as provider.ReadResult;
      }),
    update: (id, urn, olds, news) =>
      operations.run(
        { urn, timeoutSeconds: requestTimeoutSeconds(), timeoutKind: "update" },
        (context) =>
          bindingOf(urn).update(id, plainProperties(olds), plainProperties(news), context),
      ),
    delete: (id, urn, props) =>
      operations.run({ urn }, (context) =>
        bindingOf(urn).delete(id, plainProperties(props), context),
      ),
    invoke: async (token, args) => {
      const fn = FUNCTIONS[token];
      if (!fn)
        throw new Error(
          `unknown function ${token} (this plugin serves ${Object.keys(FUNCTIONS).join(", ")})`,
        );
      const outputs = await operations.run({}, (context) => fn(plainProperties(args), context));
      return { outputs: outputs as Record<string, unknown> };
    },
    // Never an error: the engine also sends Cancel at the normal end of every run.
    cancel: async () => operations.cancel(),
  };
}

/** Installs the request context and starts serving; prints the port as stdout's first line. */
export async function serve(args: string[]): Promise<void> {
  installRequestContext();
  useCredentials(credentialsFromPulumiConfig());
  onConfigure((input) => useCredentials(credentialsFromConfigure(input)));
  const operations = new NativeOperations(providerCredentials, (urn, message) =>
    logToResource(urn, message, true),
  );
  process.on("SIGINT", () => stopOnInterrupt(operations));
  await provider.main(vpsProvider(operations), args);
}

/**
 * How long the plugin stays up after the last call a SIGINT cancelled, so that the call's
 * answer (the backup's id, for the state) is written to the engine before the process ends.
 */
const ANSWER_GRACE_MS = 2_000;

/**
 * SIGINT: the engine sends it when it is done with the plugin (and kills it 5 s later), and a
 * CI runner cancelling a job sends it to every process of the run. Either way the plugin stops
 * its waits as Cancel does, so that each create is answered with its backup's id and recorded,
 * then exits: at once when no call is running (the engine's normal end), else once the
 * cancelled calls have answered.
 */
function stopOnInterrupt(operations: NativeOperations): void {
  operations.cancel();
  if (operations.inFlightCount() === 0) process.exit(0);
  operations.whenIdle(() => setTimeout(() => process.exit(0), ANSWER_GRACE_MS).unref());
}
