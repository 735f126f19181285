/**
 * docs/openapi.json is generated from sdk/schemas.ts (sdk/openapi/document.ts): the checked-in
 * file must be exactly what the generator writes, and what it says about inputs must agree with
 * what the zod schemas accept.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument, renderOpenApiDocument } from "../../../sdk/openapi/document";
import {
  BackupTypeFilterSchema,
  CreateBackupRequestSchema,
  MAX_DESCRIPTION_LENGTH,
} from "../../../sdk/schemas";

const CHECKED_IN = join(__dirname, "../../../docs/openapi.json");

describe("docs/openapi.json", () => {
  it("is what `npm run gen-openapi` generates", () => {
    const checkedIn = readFileSync(CHECKED_IN, "utf8");
    if (checkedIn !== renderOpenApiDocument()) {
      throw new Error(
        "docs/openapi.json differs from the zod schemas: run `npm run gen-openapi` and commit it.",
      );
    }
  });

  it("ends with one newline and is stable across builds", () => {
    const text = renderOpenApiDocument();
    expect(text.endsWith("}\n")).toBe(true);
    expect(renderOpenApiDocument()).toBe(text);
  });
});

describe("the OpenAPI document", () => {
  const document = buildOpenApiDocument();

  it("has every path and method of the contract, and nothing else", () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      "DELETE /backups/{backup_id}/",
      "GET /backups/",
      "GET /servers/",
      "GET /servers/{server_id}/",
      "POST /backups/",
      "POST /servers/{server_id}/restore/",
    ]);
  });

  it("asks for a bearer token everywhere, and documents 401, 405 and 429 on every operation", () => {
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods) as { responses: Record<string, unknown> }[]) {
        expect(operation.responses).toMatchObject({
          "401": { $ref: "#/components/responses/Unauthorized" },
          "405": { $ref: "#/components/responses/MethodNotAllowed" },
          "429": { $ref: "#/components/responses/Throttled" },
        });
      }
    }
    expect(document.components.responses.Throttled.headers["Retry-After"]).toMatchObject({
      required: true,
      schema: { type: "integer" },
    });
  });

  it("gives the description's length limit, which a zod refine cannot say", () => {
    const schema = document.components.schemas.CreateBackupRequest as {
      properties: { description: { maxLength: number } };
      required: string[];
    };
    expect(schema.properties.description.maxLength).toBe(MAX_DESCRIPTION_LENGTH);
    expect(schema.required).toEqual(["server_id"]);
    // maxLength counts code points, as the schema does: 255 unicorns pass, 256 do not.
    const unicorns = (count: number) => ({ server_id: 1, description: "🦄".repeat(count) });
    expect(CreateBackupRequestSchema.safeParse(unicorns(255)).success).toBe(true);
    expect(CreateBackupRequestSchema.safeParse(unicorns(256)).success).toBe(false);
  });

  it("documents backup_type with a pattern that accepts exactly what the API accepts", () => {
    const parameter = document.paths["/backups/"].get.parameters.find(
      (p) => p.name === "backup_type",
    );
    const pattern = new RegExp((parameter?.schema as { pattern: string }).pattern);
    for (const value of [
      "manual",
      "Manual",
      "AUTOMATIC",
      "aUtOmAtIc",
      "",
      "man",
      "manuals",
      " manual",
    ]) {
      expect([value, pattern.test(value)]).toEqual([
        value,
        BackupTypeFilterSchema.safeParse(value).success,
      ]);
    }
  });

  it("describes query and path ids by the integers they denote", () => {
    const [serverId] = document.paths["/backups/"].get.parameters;
    expect(serverId).toMatchObject({
      name: "server_id",
      in: "query",
      required: false,
      schema: { type: "integer", exclusiveMinimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    });
    expect(document.paths["/backups/{backup_id}/"].delete.parameters[0]).toMatchObject({
      name: "backup_id",
      in: "path",
      required: true,
      schema: { type: "integer" },
    });
  });
});
