/**
 * The checked-in package schema (provider/native/schema.json) is the derivation from the zod
 * schemas, and the derivation keeps the plugin's contract: its tokens, property names, secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_SCHEMA, PLUGIN_VERSION } from "../../../provider/native/schema";
import { ServerBackupInputsSchema } from "../../../provider/server-backup/schema";
import { ServerRestoreInputsSchema } from "../../../provider/server-restore/schema";
import { GetBackupArgsSchema } from "../../../provider/get-backups/schema";
import { RestoreServerArgsSchema } from "../../../provider/server-restore/schema";

const SCHEMA_FILE = path.join(__dirname, "..", "..", "..", "provider", "native", "schema.json");

/** The path and both sides of the first place two JSON values differ, for the failure message. */
function firstDifference(left: unknown, right: unknown, at = ""): string | undefined {
  if (JSON.stringify(left) === JSON.stringify(right)) return undefined;
  if (left && right && typeof left === "object" && typeof right === "object") {
    const l = left as Record<string, unknown>;
    const r = right as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(l), ...Object.keys(r)])];
    for (const key of keys) {
      const found = firstDifference(l[key], r[key], `${at}/${key}`);
      if (found) return found;
    }
    return `${at}: keys in another order`;
  }
  return `${at}: file has ${JSON.stringify(left)}, derivation has ${JSON.stringify(right)}`;
}

test("provider/native/schema.json is the schema derived from the zod schemas", () => {
  const checkedIn = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as unknown;
  // Key order is part of the file (sorted, stable); formatting is prettier's.
  const difference = firstDifference(checkedIn, PACKAGE_SCHEMA);
  if (difference) {
    throw new Error(
      `provider/native/schema.json is out of date: run \`npm run gen-schema\` and commit it.\n` +
        `First difference at ${difference}`,
    );
  }
  expect(fs.readFileSync(SCHEMA_FILE, "utf8").endsWith("}\n")).toBe(true);
});

test("the schema is package vps at the npm package's version", () => {
  expect(PACKAGE_SCHEMA.name).toBe("vps");
  expect(PACKAGE_SCHEMA.version).toBe(PLUGIN_VERSION);
  expect(PLUGIN_VERSION).toMatch(/^\d+\.\d+\.\d+/);
});

test("tokens and property names stay those programs and stacks use", () => {
  expect(Object.keys(PACKAGE_SCHEMA.resources).sort()).toEqual([
    "vps:index:ServerBackup",
    "vps:index:ServerRestore",
  ]);
  expect(Object.keys(PACKAGE_SCHEMA.functions).sort()).toEqual([
    "vps:index:getBackup",
    "vps:index:getBackups",
    "vps:index:restoreServer",
  ]);
  const names = (properties: object) => Object.keys(properties).sort();
  const backup = PACKAGE_SCHEMA.resources["vps:index:ServerBackup"];
  expect(names(backup.inputProperties)).toEqual(names(ServerBackupInputsSchema.shape));
  expect(names(backup.properties)).toEqual(
    [
      ...names(ServerBackupInputsSchema.shape),
      ...["backupId", "serverName", "backupType", "status", "sizeMb", "createdAt", "expiresAt"],
    ].sort(),
  );
  expect(backup.requiredInputs).toEqual(["serverId"]);
  const restore = PACKAGE_SCHEMA.resources["vps:index:ServerRestore"];
  expect(names(restore.inputProperties)).toEqual(names(ServerRestoreInputsSchema.shape));
  expect(restore.requiredInputs).toEqual(["serverId", "backupId"]);
  expect(names(restore.properties)).toEqual(
    [...names(ServerRestoreInputsSchema.shape), "status", "restoredAt", "message"].sort(),
  );
  expect(names(PACKAGE_SCHEMA.functions["vps:index:getBackup"].inputs.properties)).toEqual(
    names(GetBackupArgsSchema.shape),
  );
  expect(names(PACKAGE_SCHEMA.functions["vps:index:restoreServer"].inputs.properties)).toEqual(
    names(RestoreServerArgsSchema.shape),
  );
  expect(PACKAGE_SCHEMA.functions["vps:index:getBackups"].outputs.properties.backups).toEqual(
    expect.objectContaining({ type: "array", items: { $ref: "#/types/vps:index:Backup" } }),
  );
  expect(backup.inputProperties.triggers).toEqual(
    expect.objectContaining({ type: "array", items: { $ref: "pulumi.json#/Any" } }),
  );
  expect(Object.keys(PACKAGE_SCHEMA.config.variables).sort()).toEqual(["apiToken", "apiUrl"]);
});

/** Every property spec of the schema, with where it is. */
function everyProperty(): [string, { secret?: boolean; description?: string }][] {
  const found: [string, { secret?: boolean; description?: string }][] = [];
  const collect = (where: string, properties: object) => {
    for (const [name, spec] of Object.entries(properties)) found.push([`${where}.${name}`, spec]);
  };
  collect("config", PACKAGE_SCHEMA.config.variables);
  collect("provider.inputProperties", PACKAGE_SCHEMA.provider.inputProperties);
  collect("provider.properties", PACKAGE_SCHEMA.provider.properties);
  for (const [token, type] of Object.entries(PACKAGE_SCHEMA.types)) collect(token, type.properties);
  for (const [token, resource] of Object.entries(PACKAGE_SCHEMA.resources)) {
    collect(`${token}.inputProperties`, resource.inputProperties);
    collect(`${token}.properties`, resource.properties);
  }
  for (const [token, fn] of Object.entries(PACKAGE_SCHEMA.functions)) {
    collect(`${token}.inputs`, fn.inputs.properties);
    collect(`${token}.outputs`, fn.outputs.properties);
  }
  return found;
}

test("every property, resource, function, type and object has a description", () => {
  const described = (text: unknown) => typeof text === "string" && text.trim().length > 0;
  const objects: [string, { description?: unknown }][] = [
    ["package", PACKAGE_SCHEMA],
    ["provider", PACKAGE_SCHEMA.provider],
    ...Object.entries(PACKAGE_SCHEMA.types),
    ...Object.entries(PACKAGE_SCHEMA.resources),
    ...Object.entries(PACKAGE_SCHEMA.functions).flatMap(([token, fn]) => [
      [token, fn] as [string, { description?: unknown }],
      [`${token}.inputs`, fn.inputs] as [string, { description?: unknown }],
      [`${token}.outputs`, fn.outputs] as [string, { description?: unknown }],
    ]),
  ];
  const undescribed = [...objects, ...everyProperty()]
    .filter(([, spec]) => !described(spec.description))
    .map(([where]) => where);
  expect(undescribed).toEqual([]);
  expect(everyProperty().length).toBeGreaterThan(60);
});

test("apiToken is secret wherever it appears, and nothing else is", () => {
  const secrets = everyProperty()
    .filter(([, spec]) => spec.secret === true)
    .map(([where]) => where);
  const tokens = everyProperty()
    .filter(([where]) => where.endsWith(".apiToken"))
    .map(([where]) => where);
  expect(secrets).toEqual(tokens);
  expect(tokens.length).toBe(10);
});

test("defaults come from zod and are on inputs only", () => {
  const backup = PACKAGE_SCHEMA.resources["vps:index:ServerBackup"];
  expect(backup.inputProperties.createTimeout?.default).toBe("60m");
  expect(backup.properties.createTimeout?.default).toBeUndefined();
  const restore = PACKAGE_SCHEMA.functions["vps:index:restoreServer"].inputs.properties;
  expect(restore.waitForCompletion?.default).toBe(true);
  expect(restore.backupFirst?.default).toBe(false);
  expect(restore.timeout?.default).toBe("30m");
});
