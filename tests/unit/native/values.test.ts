import {
  SECRET_SIGNATURE,
  SIGNATURE_KEY,
  UNKNOWN_VALUE,
  isUnknown,
  nameOfUrn,
  typeOfUrn,
  unwrapSecrets,
} from "../../../provider/native/values";
import { engineAddressFromArgs } from "../../../provider/native/args";
import {
  credentialsFromConfigure,
  credentialsFromPulumiConfig,
} from "../../../provider/native/credentials";

const secret = (value: unknown) => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });

test("secrets are unwrapped at any depth; unknowns stay recognisable", () => {
  expect(
    unwrapSecrets({
      apiToken: secret("t"),
      triggers: [secret(1), { a: secret({ b: 2 }) }],
      serverId: UNKNOWN_VALUE,
    }),
  ).toEqual({ apiToken: "t", triggers: [1, { a: { b: 2 } }], serverId: UNKNOWN_VALUE });
  expect(isUnknown(UNKNOWN_VALUE)).toBe(true);
  expect(isUnknown("x")).toBe(false);
});

test("URNs give their type (without parents) and name", () => {
  expect(typeOfUrn("urn:pulumi:dev::proj::vps:index:ServerBackup::pre")).toBe(
    "vps:index:ServerBackup",
  );
  expect(typeOfUrn("urn:pulumi:dev::proj::my:comp$vps:index:ServerBackup::pre")).toBe(
    "vps:index:ServerBackup",
  );
  expect(nameOfUrn("urn:pulumi:dev::proj::vps:index:ServerBackup::pre")).toBe("pre");
});

test("the engine address is the first argument after the engine's flags", () => {
  expect(engineAddressFromArgs(["--logtostderr", "-v=9", "--tracing", "x", "127.0.0.1:5"])).toBe(
    "127.0.0.1:5",
  );
  expect(engineAddressFromArgs([])).toBeUndefined();
});

test("credentials: explicit provider args, then config variables, then PULUMI_CONFIG", () => {
  const fallback = credentialsFromPulumiConfig(
    JSON.stringify({ apiUrl: "http://env", apiToken: "cfg" }),
  );
  expect(fallback).toEqual({ apiUrl: "http://env", apiToken: "cfg" });
  expect(credentialsFromConfigure({ variables: {}, args: {} }, fallback)).toEqual(fallback);
  expect(
    credentialsFromConfigure(
      {
        variables: { "vps:apiUrl": "http://vars", "vps:apiToken": "v" },
        args: { apiToken: "explicit" },
      },
      fallback,
    ),
  ).toEqual({ apiUrl: "http://vars", apiToken: "explicit" });
  // The engine sends the variables keyed `vps:config:<name>`.
  expect(
    credentialsFromConfigure(
      { variables: { "vps:config:apiUrl": "http://engine", "vps:config:apiToken": "e" }, args: {} },
      fallback,
    ),
  ).toEqual({ apiUrl: "http://engine", apiToken: "e" });
  expect(credentialsFromPulumiConfig("not json")).toEqual({});
});
