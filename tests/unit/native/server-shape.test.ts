/**
 * The plugin leans on internals of `@pulumi/pulumi/provider` (its gRPC server registers the
 * ResourceProvider service through `grpc.Server.prototype.addService` on the @grpc/grpc-js it
 * loads, with one handler per method). This starts the real server with the wrapper installed
 * and drives it over gRPC: when an upgrade changes that shape, these fail.
 */
import * as grpc from "@grpc/grpc-js";
import * as provider from "@pulumi/pulumi/provider";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import {
  type ConfigureInput,
  currentCall,
  installRequestContext,
  onConfigure,
  providerServers,
  pulumiGrpc,
  requestTimeoutSeconds,
} from "../../../provider/native/context";
import { SECRET_SIGNATURE, SIGNATURE_KEY } from "../../../provider/native/values";

const seen: { createTimeout?: number; createMethod?: string; cancelled: number } = { cancelled: 0 };
const configured: ConfigureInput[] = [];
let client: provrpc.ResourceProviderClient;

function unary<Req, Res>(
  method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

// Every server started here, found independently of the wrapper, so a failing run still ends.
const started: grpc.Server[] = [];

beforeAll(async () => {
  const bindAsync = grpc.Server.prototype.bindAsync;
  jest.spyOn(grpc.Server.prototype, "bindAsync").mockImplementation(function (
    this: grpc.Server,
    ...args: Parameters<grpc.Server["bindAsync"]>
  ) {
    started.push(this);
    return bindAsync.apply(this, args);
  });
  installRequestContext();
  onConfigure((input) => configured.push(input));
  const printed: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((line: unknown) => {
    printed.push(String(line));
  });
  try {
    await provider.main(
      {
        version: "0.0.0-test",
        create: async () => {
          seen.createTimeout = requestTimeoutSeconds();
          seen.createMethod = currentCall()?.method;
          return { id: "1", outs: {} };
        },
        cancel: async () => {
          seen.cancelled += 1;
        },
      },
      [],
    );
  } finally {
    log.mockRestore();
  }
  const port = Number(printed[0]);
  expect(port).toBeGreaterThan(0);
  client = new provrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
}, 30_000);

afterAll(() => {
  client?.close();
  for (const server of started) server.forceShutdown();
});

test("the stock server registers on the @grpc/grpc-js that @pulumi/pulumi loads", () => {
  expect(pulumiGrpc().Server).toBe(grpc.Server);
  expect(providerServers()).toEqual(started);
});

test("Configure's variables and args reach the plugin, secrets unwrapped", async () => {
  const request = new provproto.ConfigureRequest();
  request.getVariablesMap().set("vps:apiUrl", "http://127.0.0.1:9/api/v1");
  request.setArgs(
    structproto.Struct.fromJavaScript({
      apiToken: { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: "tok-1" },
    }),
  );
  await unary(client.configure, request);
  expect(configured.at(-1)).toEqual({
    variables: { "vps:apiUrl": "http://127.0.0.1:9/api/v1" },
    args: { apiToken: "tok-1" },
  });
});

test("Create's customTimeouts reach the provider through the request context", async () => {
  const request = new provproto.CreateRequest();
  request.setUrn("urn:pulumi:dev::p::vps:index:ServerBackup::b");
  request.setProperties(structproto.Struct.fromJavaScript({ serverId: 1 }));
  request.setTimeout(120);
  const response = await unary<provproto.CreateRequest, provproto.CreateResponse>(
    client.create,
    request,
  );
  expect(response.getId()).toBe("1");
  expect(seen).toMatchObject({ createTimeout: 120, createMethod: "create" });
});

test("Cancel reaches the provider's cancel", async () => {
  await unary(client.cancel, new emptyproto.Empty());
  expect(seen.cancelled).toBe(1);
});
