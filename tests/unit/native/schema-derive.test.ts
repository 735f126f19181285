/**
 * How zod fields become Pulumi property specs, and what the derivation refuses; and the result
 * schemas the functions' outputs come from agree with the result types the code returns.
 */
import { z } from "zod";
import type { Backup } from "../../../sdk";
import { ApiTokenInput, TriggersInput } from "../../../provider/core/inputs";
import { DurationSchema } from "../../../provider/core/duration";
import type { GetBackupsResult } from "../../../provider/get-backups/get-backups";
import { BackupResultSchema, GetBackupsResultSchema } from "../../../provider/get-backups/schema";
import type { RestoreServerResult } from "../../../provider/server-restore/restore-server";
import { RestoreServerResultSchema } from "../../../provider/server-restore/schema";
import { objectSpec } from "../../../provider/native/schema/properties";

// Compile-time: each result schema describes exactly the type the function returns (a field
// added to one and not the other fails `npm run typecheck`).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<z.output<typeof BackupResultSchema>, Backup>,
  Same<z.output<typeof GetBackupsResultSchema>, GetBackupsResult>,
  Same<z.output<typeof RestoreServerResultSchema>, RestoreServerResult>,
] = [true, true, true];

const NO_TYPES = new Map<z.ZodType, string>();

test("the result schemas agree with the result types", () => {
  expect(agree).toEqual([true, true, true]);
});

test("zod types map to Pulumi types; defaults and secrets follow the wrappers", () => {
  const spec = objectSpec(
    z
      .object({
        id: z.number().int().describe("an id"),
        size: z.number().nullable().describe("a size"),
        name: z.string().min(1).describe("a name"),
        flag: z.boolean().default(true).describe("a flag"),
        timeout: DurationSchema.default("30m").describe("a duration"),
        kind: z
          .string()
          .transform((text) => text.toLowerCase())
          .pipe(z.enum(["a", "b"]))
          .optional()
          .describe("a kind"),
        triggers: TriggersInput.optional().describe("triggers"),
        token: ApiTokenInput.optional().describe("a token"),
      })
      .describe("an object"),
    "example",
    "input",
    NO_TYPES,
  );
  expect(spec).toEqual({
    description: "an object",
    properties: {
      id: { description: "an id", type: "integer" },
      size: { description: "a size", type: "number" },
      name: { description: "a name", type: "string" },
      flag: { description: "a flag", type: "boolean", default: true },
      timeout: { description: "a duration", type: "string", default: "30m" },
      kind: { description: "a kind", type: "string" },
      triggers: { description: "triggers", type: "array", items: { $ref: "pulumi.json#/Any" } },
      token: { description: "a token", type: "string", secret: true },
    },
    required: ["id", "name"],
  });
});

test("a field or object without a description is refused, naming it", () => {
  expect(() =>
    objectSpec(z.object({ a: z.string() }).describe("x"), "vps:index:X", "input", NO_TYPES),
  ).toThrow("vps:index:X.a has no description: .describe() it in its zod schema");
  expect(() =>
    objectSpec(z.object({ a: z.string().describe("a") }), "vps:index:X", "input", NO_TYPES),
  ).toThrow("vps:index:X has no description");
});

test("a zod type with no Pulumi mapping, or an unnamed nested object, is refused", () => {
  expect(() =>
    objectSpec(z.object({ when: z.date().describe("d") }).describe("x"), "X", "input", NO_TYPES),
  ).toThrow('X.when: no Pulumi type for the zod type "date"');
  const nested = z.object({ inner: z.object({}).describe("i") }).describe("x");
  expect(() => objectSpec(nested, "X", "output", NO_TYPES)).toThrow(
    "X.inner: a nested object needs a type token",
  );
});
