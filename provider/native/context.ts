/**
 * What `@pulumi/pulumi/provider` drops from each gRPC request, recovered: the `timeout` of
 * Create/Update/Delete (`customTimeouts`), and Configure's variables and args (an explicit
 * `new vps.Provider("p", { apiUrl, apiToken })`, or the stack's `vps:` config for the default
 * provider). The stock server calls `provider.create(urn, inputs)` without them, so
 * `grpc.Server.prototype.addService` is wrapped before `main` runs: each handler of the
 * ResourceProvider service then runs inside an AsyncLocalStorage holding its request.
 *
 * This leans on internals of `@pulumi/pulumi` (pinned exactly in package.json);
 * tests/unit/native/server-shape.test.ts fails when their shape changes.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as path from "node:path";
import { unwrapSecrets } from "./values";

/** The gRPC request of the call being served. */
export interface CallContext {
  /** The handler's name in the service definition, e.g. `create`. */
  method: string;
  /** The protobuf request message. */
  request: unknown;
}

const storage = new AsyncLocalStorage<CallContext>();

/** The call being served, when the code runs inside a ResourceProvider handler. */
export function currentCall(): CallContext | undefined {
  return storage.getStore();
}

/**
 * The `timeout` (seconds) the engine sent with the Create, Update or Delete being served, from
 * the resource's `customTimeouts`; undefined when none was set.
 */
export function requestTimeoutSeconds(): number | undefined {
  const request = currentCall()?.request as { getTimeout?: () => number } | undefined;
  const seconds = request?.getTimeout?.();
  return typeof seconds === "number" && seconds > 0 ? seconds : undefined;
}

/** What Configure carried: `variables` by full key (`vps:apiUrl`) and `args` by name (`apiUrl`). */
export interface ConfigureInput {
  variables: Record<string, string>;
  args: Record<string, unknown>;
}

type ConfigureListener = (input: ConfigureInput) => void;
let configureListener: ConfigureListener | undefined;

/** Called with the (secret-unwrapped) contents of every Configure request. */
export function onConfigure(listener: ConfigureListener): void {
  configureListener = listener;
}

/** Reads a ConfigureRequest message into plain values. */
export function readConfigureRequest(request: unknown): ConfigureInput {
  const message = request as {
    getVariablesMap?: () => { forEach(fn: (value: string, key: string) => void): void };
    getArgs?: () => { toJavaScript(): Record<string, unknown> } | undefined;
  };
  const variables: Record<string, string> = {};
  message.getVariablesMap?.().forEach((value, key) => {
    variables[key] = value;
  });
  const args = (unwrapSecrets(message.getArgs?.()?.toJavaScript() ?? {}) ?? {}) as Record<
    string,
    unknown
  >;
  return { variables, args };
}

/** The service definition's path of the ResourceProvider service (`/pulumirpc.ResourceProvider/…`). */
const RESOURCE_PROVIDER_PATH = "/pulumirpc.ResourceProvider/";

type Handler = (call: { request: unknown }, callback: unknown) => unknown;
interface ServiceDefinition {
  [method: string]: { path?: string };
}
interface GrpcServer {
  addService(service: ServiceDefinition, implementation: Record<string, Handler>): void;
}

let installed = false;
const servers: GrpcServer[] = [];

/** The gRPC servers the provider registered on (for tests, which must shut them down). */
export function providerServers(): readonly GrpcServer[] {
  return servers;
}

/** The `@grpc/grpc-js` that `@pulumi/pulumi` itself loads (the wrapper must patch that copy). */
export function pulumiGrpc(): { Server: { prototype: GrpcServer } } {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  return require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
}

/**
 * Wraps `grpc.Server.prototype.addService` once, so every ResourceProvider handler runs with its
 * request in {@link currentCall}, and Configure reports to {@link onConfigure} first.
 * @throws Error when the service no longer looks as expected (an `@pulumi/pulumi` upgrade).
 */
export function installRequestContext(): void {
  if (installed) return;
  installed = true;
  const prototype = pulumiGrpc().Server.prototype;
  const original = prototype.addService;
  prototype.addService = function addService(this: GrpcServer, service, implementation) {
    const isProvider = Object.values(service).some((method) =>
      method.path?.startsWith(RESOURCE_PROVIDER_PATH),
    );
    if (!isProvider) return original.call(this, service, implementation);
    for (const required of ["configure", "create", "update", "delete", "cancel"]) {
      if (typeof implementation[required] !== "function" || !service[required]) {
        throw new Error(
          `@pulumi/pulumi's provider server has no ${required} handler: its internals changed; ` +
            `pin the version this plugin was built with`,
        );
      }
    }
    servers.push(this);
    const wrapped: Record<string, Handler> = {};
    for (const method of Object.keys(service)) {
      const handler = implementation[method];
      if (typeof handler !== "function") continue;
      wrapped[method] = function (this: unknown, call, callback) {
        if (method === "configure") configureListener?.(readConfigureRequest(call.request));
        return storage.run({ method, request: call.request }, () =>
          handler.call(implementation, call, callback),
        );
      };
    }
    return original.call(this, service, wrapped);
  };
}
