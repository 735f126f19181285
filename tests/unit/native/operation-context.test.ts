/**
 * The plugin's per-call `OperationContext` (provider/native/operation-context.ts): where each
 * call's client gets its account (resource inputs > the provider's Configure or `vps:` config >
 * the environment), its own abort signal that Cancel aborts, its `customTimeouts` as a time
 * limit, and progress sent to the resource's line. No network: clients are only built.
 */
import type { CredentialSource } from "../../../provider/core/credentials";
import type { OperationContext } from "../../../provider/core/operation";
import { NativeOperations } from "../../../provider/native/operation-context";

const URN = "urn:pulumi:dev::proj::vps:index:ServerBackup::pre-deploy";

function operationsWith(provider: CredentialSource = {}) {
  const logged: { urn: string; message: string }[] = [];
  const operations = new NativeOperations(
    () => provider,
    (urn, message) => logged.push({ urn, message }),
  );
  return { operations, logged };
}

/** Runs a call and hands back its context, while the call stays in flight until `finish`. */
function openCall(operations: NativeOperations, call = {}) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let context!: OperationContext;
  const running = operations.run(call, async (given) => {
    context = given;
    await done;
    return "finished";
  });
  return { context: () => context, finish, running };
}

describe("NativeOperations: the context of one call", () => {
  const saved = { url: process.env.VPS_API_URL, token: process.env.VPS_API_TOKEN };
  afterEach(() => {
    for (const [name, value] of [
      ["VPS_API_URL", saved.url],
      ["VPS_API_TOKEN", saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("a resource's own apiUrl/apiToken win over the provider's, which win over the environment", async () => {
    process.env.VPS_API_URL = "https://env.example";
    process.env.VPS_API_TOKEN = "env-token";
    const { operations } = operationsWith({
      apiUrl: "https://provider.example",
      apiToken: "provider-token",
    });
    await operations.run({ urn: URN }, async (context) => {
      expect(context.client("x", { apiUrl: "https://own.example", apiToken: "t" }).baseUrl).toBe(
        "https://own.example",
      );
      expect(context.client("x", {}).baseUrl).toBe("https://provider.example");
    });
    await operationsWith({}).operations.run({}, async (context) => {
      expect(context.client("x", {}).baseUrl).toBe("https://env.example");
    });
  });

  it("reads the provider's credentials when the call runs (a later Configure counts)", async () => {
    const provider: CredentialSource = {};
    const operations = new NativeOperations(
      () => provider,
      () => undefined,
    );
    provider.apiUrl = "https://configured.example";
    provider.apiToken = "configured-token";
    await operations.run({}, async (context) => {
      expect(context.client("x", {}).baseUrl).toBe("https://configured.example");
    });
  });

  it("fails naming what needs the token when no level has one", async () => {
    delete process.env.VPS_API_TOKEN;
    const { operations } = operationsWith({ apiUrl: "https://provider.example" });
    await operations.run({}, async (context) => {
      expect(() => context.client("ServerBackup of server 7", {})).toThrow(
        /ServerBackup of server 7 has no API token/,
      );
    });
  });

  it("sends progress to the resource's line, and gives functions no progress", async () => {
    const { operations, logged } = operationsWith();
    await operations.run({ urn: URN }, async (context) => context.progress?.("backup 1: queued"));
    await operations.run({}, async (context) => expect(context.progress).toBeUndefined());
    expect(logged).toEqual([{ urn: URN, message: "backup 1: queued" }]);
  });

  it("turns the request's customTimeouts into the call's time limit, and none without", async () => {
    const { operations } = operationsWith();
    await operations.run({ timeoutSeconds: 90, timeoutKind: "update" }, async (context) => {
      expect(context.timeLimit).toEqual({ ms: 90_000, source: "customTimeouts.update" });
    });
    await operations.run({}, async (context) => expect(context.timeLimit).toBeUndefined());
  });
});

describe("NativeOperations: Cancel", () => {
  it("aborts the signal of every call in flight, and not before", async () => {
    const { operations } = operationsWith();
    const first = openCall(operations, { urn: URN });
    const second = openCall(operations, {});
    await Promise.resolve();
    expect(first.context().signal?.aborted).toBe(false);
    expect(operations.inFlightCount()).toBe(2);

    operations.cancel();
    expect(first.context().signal?.aborted).toBe(true);
    expect(second.context().signal?.aborted).toBe(true);
    expect(String(first.context().signal?.reason)).toMatch(/asked the provider to stop/);
    first.finish();
    second.finish();
    await expect(first.running).resolves.toBe("finished");
    await expect(second.running).resolves.toBe("finished");
    expect(operations.inFlightCount()).toBe(0);
  });

  it("a call that starts after Cancel starts aborted (Cancel means: stop and shut down)", async () => {
    const { operations } = operationsWith();
    operations.cancel();
    expect(operations.wasCancelled()).toBe(true);
    await operations.run({}, async (context) => expect(context.signal?.aborted).toBe(true));
  });

  it("each call has its own signal: finishing one leaves the others' alone", async () => {
    const { operations } = operationsWith();
    const first = openCall(operations);
    const second = openCall(operations);
    await Promise.resolve();
    expect(first.context().signal).not.toBe(second.context().signal);
    first.finish();
    await first.running;
    expect(operations.inFlightCount()).toBe(1);
    expect(second.context().signal?.aborted).toBe(false);
    second.finish();
    await second.running;
    expect(operations.inFlightCount()).toBe(0);
  });
});
