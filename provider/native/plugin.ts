/**
 * The `pulumi-resource-vps` provider: `@pulumi/pulumi/provider`'s gRPC server, with each call's
 * request recovered (context.ts), secrets unwrapped (values.ts), Configure turned into the
 * plugin's account (credentials.ts), Cancel aborting every wait, and the resource logic reached
 * through bindings.ts only.
 */
import * as provider from "@pulumi/pulumi/provider";
import { interruptOperations } from "../dynamic/context";
import { FUNCTIONS, RESOURCES, type ResourceBinding, reportWaitProgress } from "./bindings";
import { installRequestContext, onConfigure, requestTimeoutSeconds } from "./context";
import {
  credentialsFromConfigure,
  credentialsFromPulumiConfig,
  useCredentials,
} from "./credentials";
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

// Cancel: the engine sends it on Ctrl-C and ALSO at the normal end of every run, so it aborts
// what is in flight (each accepted backup is then recorded as partially created) and is never
// an error by itself. Waits that start after it (a create still between its POST and its wait)
// are aborted too, while operations remain in flight.
let inFlight = 0;
let cancelled = false;
let cancelTimer: NodeJS.Timeout | undefined;

/** Aborts every wait in flight, and keeps aborting new ones until none is left. */
export function cancelOperations(): void {
  cancelled = true;
  interruptOperations("cancelled (the Pulumi engine asked the provider to stop)");
  if (inFlight > 0 && !cancelTimer) {
    cancelTimer = setInterval(() => {
      if (inFlight === 0) {
        clearInterval(cancelTimer);
        cancelTimer = undefined;
        return;
      }
      interruptOperations("cancelled (the Pulumi engine asked the provider to stop)");
    }, 100);
    cancelTimer.unref();
  }
}

/** True once the engine sent Cancel. */
export function wasCancelled(): boolean {
  return cancelled;
}

async function tracked<T>(operation: () => Promise<T>): Promise<T> {
  inFlight += 1;
  try {
    if (cancelled) interruptOperations("cancelled (the Pulumi engine asked the provider to stop)");
    return await operation();
  } finally {
    inFlight -= 1;
  }
}

/** The provider object handed to `@pulumi/pulumi/provider`'s `main`. */
export const vpsProvider: provider.Provider = {
  version: PLUGIN_VERSION,
  getSchema: async () => JSON.stringify(PACKAGE_SCHEMA),
  check: (urn, olds, news) => bindingOf(urn).check(plainProperties(olds), plainProperties(news)),
  diff: (id, urn, olds, news) =>
    bindingOf(urn).diff(id, plainProperties(olds), plainProperties(news)),
  create: (urn, inputs) =>
    tracked(() => bindingOf(urn).create(plainProperties(inputs), requestTimeoutSeconds())),
  read: async (id, urn, props) => {
    const plain = plainProperties(props);
    const result = await bindingOf(urn).read(id, plain, Object.keys(plain).length === 0);
    return result as provider.ReadResult;
  },
  update: (id, urn, olds, news) =>
    tracked(() =>
      bindingOf(urn).update(
        id,
        plainProperties(olds),
        plainProperties(news),
        requestTimeoutSeconds(),
      ),
    ),
  delete: (id, urn, props) => tracked(() => bindingOf(urn).delete(id, plainProperties(props))),
  invoke: async (token, args) => {
    const fn = FUNCTIONS[token];
    if (!fn)
      throw new Error(
        `unknown function ${token} (this plugin serves ${Object.keys(FUNCTIONS).join(", ")})`,
      );
    return { outputs: (await fn(plainProperties(args))) as Record<string, unknown> };
  },
  cancel: async () => cancelOperations(),
};

/** Installs the request context and starts serving; prints the port as stdout's first line. */
export async function serve(args: string[]): Promise<void> {
  installRequestContext();
  reportWaitProgress();
  // Ctrl-C in a terminal reaches every process of the run; the engine answers it with Cancel
  // (and kills the plugin when it is done), so the plugin itself must not die of SIGINT.
  process.on("SIGINT", () => undefined);
  useCredentials(credentialsFromPulumiConfig());
  onConfigure((input) => useCredentials(credentialsFromConfigure(input)));
  await provider.main(vpsProvider, args);
}
