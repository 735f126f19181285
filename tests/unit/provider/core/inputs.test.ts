/**
 * The input schemas: one per resource and function, each the source of its input names,
 * validation, defaults and docs, checked field by field with the engine's unknown value passing.
 */
import { z } from "zod";
import {
  type InputsSchema,
  UNKNOWN_INPUT,
  checkInputs,
  parseInputs,
} from "../../../../provider/core/inputs";
import { GetBackupArgsSchema, GetBackupsArgsSchema } from "../../../../provider/get-backups/schema";
import {
  ServerBackupInputsSchema,
  ServerBackupStateSchema,
} from "../../../../provider/server-backup/schema";
import { serverBackupOperations } from "../../../../provider/server-backup/server-backup";
import {
  RestoreServerArgsSchema,
  ServerRestoreInputsSchema,
  ServerRestoreStateSchema,
} from "../../../../provider/server-restore/schema";
import { VpsInvalidArgumentError } from "../../../../sdk";

const inputSchemas: [string, InputsSchema][] = [
  ["ServerBackup", ServerBackupInputsSchema],
  ["ServerRestore", ServerRestoreInputsSchema],
  ["getBackups", GetBackupsArgsSchema],
  ["getBackup", GetBackupArgsSchema],
  ["restoreServer", RestoreServerArgsSchema],
];
const stateSchemas: [string, InputsSchema][] = [
  ["ServerBackup state", ServerBackupStateSchema],
  ["ServerRestore state", ServerRestoreStateSchema],
];

describe("the schemas", () => {
  it.each([...inputSchemas, ...stateSchemas])(
    "%s: every field has a description, and a JSON schema can be derived",
    (_name, schema) => {
      const json = z.toJSONSchema(schema, { io: "input" }) as {
        properties: Record<string, { description?: string }>;
      };
      expect(Object.keys(json.properties)).toEqual(Object.keys(schema.shape));
      for (const [name, property] of Object.entries(json.properties)) {
        const described = (property.description ?? "").length > 10;
        expect({ name, described }).toEqual({ name, described: true });
      }
    },
  );

  it("hold the defaults, which the derived JSON schema shows", () => {
    const defaults = (schema: InputsSchema) =>
      Object.fromEntries(
        Object.entries(
          (z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, object> })
            .properties,
        )
          .filter(([, property]) => "default" in property)
          .map(([name, property]) => [name, (property as { default: unknown }).default]),
      );
    expect(defaults(ServerBackupInputsSchema)).toEqual({ createTimeout: "60m" });
    expect(defaults(ServerRestoreInputsSchema)).toEqual({
      waitForCompletion: true,
      timeout: "30m",
    });
    expect(defaults(RestoreServerArgsSchema)).toEqual({
      waitForCompletion: true,
      timeout: "30m",
      backupFirst: false,
    });
    expect(defaults(GetBackupArgsSchema)).toEqual({ mostRecent: false });
  });
});

describe("checkInputs", () => {
  it.each(inputSchemas)(
    "%s: the engine's unknown value is never a failure, for any field",
    (_name, schema) => {
      const unknowns = Object.fromEntries(Object.keys(schema.shape).map((n) => [n, UNKNOWN_INPUT]));
      expect(checkInputs(schema, unknowns)).toEqual({ inputs: unknowns, failures: [] });
    },
  );

  it("records the inputs as given: no default filled in, null and unknown names dropped", () => {
    const result = checkInputs(ServerBackupInputsSchema, {
      serverId: 7,
      description: null,
      backupId: 9,
      __provider: "text",
    });
    expect(result).toEqual({ inputs: { serverId: 7 }, failures: [] });
  });

  it("words an sdk schema's refusal with the value given and the field's fix", () => {
    expect(checkInputs(ServerRestoreInputsSchema, { serverId: 1, backupId: -2 }).failures).toEqual([
      {
        property: "backupId",
        reason:
          "backupId must be a positive number, got -2; set it to the numeric id, e.g. 501 (a completed backup of this server)",
      },
    ]);
  });
});

describe("parseInputs", () => {
  it("gives the typed inputs with the defaults filled in", () => {
    expect(parseInputs("ServerBackup", ServerBackupInputsSchema, { serverId: 7 })).toEqual({
      serverId: 7,
      createTimeout: "60m",
    });
  });

  it("refuses every bad field at once, naming the first, never showing a token", () => {
    const call = () =>
      parseInputs("restoreServer", RestoreServerArgsSchema, { apiToken: "  ", timeout: "x" });
    expect(call).toThrow(VpsInvalidArgumentError);
    expect(call).toThrow(/^restoreServer: serverId must be a number.*backupId.*timeout.*apiToken/);
    try {
      parseInputs("getBackups", GetBackupsArgsSchema, { apiToken: 5 });
    } catch (error) {
      expect(error).toMatchObject({ field: "apiToken", value: "[redacted]" });
    }
  });
});

describe("the ServerBackup operations on plain records", () => {
  it("diff without any Pulumi type: replacing and in-place inputs", () => {
    const olds = { serverId: 1, triggers: ["a"], status: "completed", backupId: 5 };
    expect(serverBackupOperations.diff(olds, { serverId: 1, triggers: ["b"] })).toEqual({
      changes: true,
      replaces: ["triggers"],
    });
    expect(serverBackupOperations.diff(olds, { serverId: 1, triggers: ["a"] })).toEqual({
      changes: false,
      replaces: [],
    });
  });
});
