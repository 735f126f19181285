/**
 * The Backups API as an OpenAPI 3.1 document, generated from the zod schemas of
 * `sdk/schemas.ts` (the one schema source) with zod's own `z.toJSONSchema`. Only what zod cannot
 * know is written here: the paths, which schema each request and response uses, the statuses
 * (docs/api.md), the headers and the security scheme.
 *
 * `npm run gen-openapi` writes it to docs/openapi.json; the emulator serves it at /openapi.json.
 */
import { z } from "zod";
import * as api from "../schemas";

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of a zod schema. Bodies are described by what travels on the wire: the input
 * side of the schema that parses them (responses are parsed by the client, requests by the API).
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
  }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schemaName: string, example?: unknown) => ({
  "application/json": { schema: ref(schemaName), ...(example === undefined ? {} : { example }) },
});

/** A response header as the contract names it (docs/api.md, decision 15). */
function integerHeader(description: string, required = false) {
  return { description, required, schema: { type: "integer", minimum: 0 } };
}

/** Sent on every response while rate limiting is on (docs/api.md, decision 15). */
const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": integerHeader("Requests allowed in a burst (sent while limiting is on)."),
  "RateLimit-Remaining": integerHeader(
    "Requests left in the current burst (while limiting is on).",
  ),
  "RateLimit-Reset": integerHeader("Seconds until the burst is full again (while limiting is on)."),
};
const RATE_LIMIT_HEADER_REFS = Object.fromEntries(
  Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
);

function response(description: string, schemaName?: string, headers: JsonSchema = {}) {
  return {
    description,
    headers: { ...RATE_LIMIT_HEADER_REFS, ...headers },
    ...(schemaName ? { content: json(schemaName) } : {}),
  };
}

/** Errors every operation may answer (docs/api.md, decisions 9, 10, 15), written once. */
const SHARED_RESPONSES = {
  Unauthorized: response("Unauthorized: the token is missing or invalid.", "DetailError", {
    "WWW-Authenticate": {
      description: 'The scheme to use: `Bearer realm="api"`.',
      required: true,
      schema: { type: "string" },
    },
  }),
  MethodNotAllowed: response(
    "Method not allowed on this path (after authentication, as Django REST Framework does).",
    "DetailError",
    {
      Allow: {
        description: "The methods this path answers.",
        required: true,
        schema: { type: "string" },
      },
    },
  ),
  Throttled: response(
    "Throttled: too many requests (only while rate limiting is on).",
    "DetailError",
    {
      "Retry-After": integerHeader("Seconds to wait before trying again.", true),
    },
  ),
};
const sharedResponse = (name: keyof typeof SHARED_RESPONSES) => ({
  $ref: `#/components/responses/${name}`,
});
const COMMON_ERRORS = {
  "401": sharedResponse("Unauthorized"),
  "405": sharedResponse("MethodNotAllowed"),
  "429": sharedResponse("Throttled"),
};

const BAD_REQUEST = response(
  'Bad request: field errors, `{"field": ["reason"]}`; a body that is not a JSON object gives `non_field_errors`.',
  "FieldErrors",
);

/** A query or path parameter from one field of a zod object. */
function parameter(
  name: string,
  where: "query" | "path",
  field: z.ZodType,
  io: "input" | "output",
  example?: unknown,
) {
  const optional = field instanceof z.ZodOptional;
  const inner = optional ? (field.unwrap() as z.ZodType) : field;
  const { description, ...schema } = jsonSchema(inner, io);
  return {
    name,
    in: where,
    required: where === "path" || !optional,
    description: (field.description ?? description) as string | undefined,
    schema,
    ...(example === undefined ? {} : { example }),
  };
}

/**
 * A path id. A parameter arrives as text; the document gives the value it denotes (the output of
 * the parsing pipe: a positive integer), as OpenAPI writes integers in a path as decimal digits.
 */
function pathId(name: string, description: string, example: number) {
  return { ...parameter(name, "path", api.PathIdSchema, "output", example), description };
}

/** Paging parameters of every list (docs/api.md, decision 2). */
const PAGE_PARAMETERS = [
  parameter("page", "query", api.PageQuerySchema.shape.page, "output"),
  parameter("page_size", "query", api.PageQuerySchema.shape.page_size, "output"),
];
const PAGE_NOT_FOUND = response('No such page: `{"detail": "Invalid page."}`.', "DetailError");

/** The page's sample ids and bodies (docs/backups-api.original.txt), as examples. */
const SAMPLE_SERVER_ID = 12345;
const SAMPLE_BACKUP_ID = 501;
const SAMPLE_CREATE = { server_id: SAMPLE_SERVER_ID, description: "Pre-deployment backup" };
/** The sample's manual backup: a restore example that stays valid after the delete example ran. */
const SAMPLE_RESTORE = { backup_id: 499 };

const PATHS = {
  "/backups/": {
    get: {
      operationId: "listBackups",
      summary: "List the backups of the account's servers, newest first.",
      parameters: [
        parameter("server_id", "query", api.ListBackupsQuerySchema.shape.server_id, "output"),
        // Read in any case: the input side is the truthful one (docs/api.md, decision 3).
        parameter("backup_type", "query", api.ListBackupsQuerySchema.shape.backup_type, "input"),
        ...PAGE_PARAMETERS,
      ],
      responses: {
        "200": response("A page of backups.", "BackupPage"),
        "400": BAD_REQUEST,
        "404": PAGE_NOT_FOUND,
        ...COMMON_ERRORS,
      },
    },
    post: {
      operationId: "createBackup",
      summary: "Start a manual backup of a server. Manual backups never expire.",
      requestBody: { required: true, content: json("CreateBackupRequest", SAMPLE_CREATE) },
      responses: {
        "201": response("The backup has started (`in_progress`).", "CreatedBackup"),
        "400": BAD_REQUEST,
        "404": response("The server does not exist for this account.", "DetailError"),
        "409": response(
          "A backup of this server is already running (only on platforms that allow one at a time).",
          "DetailError",
        ),
        ...COMMON_ERRORS,
      },
    },
  },
  "/backups/{backup_id}/": {
    delete: {
      operationId: "deleteBackup",
      summary: "Delete a backup for good; an in-progress backup is cancelled.",
      parameters: [pathId("backup_id", "The backup's id.", SAMPLE_BACKUP_ID)],
      responses: {
        "204": response("Deleted.", undefined),
        "404": response("The backup does not exist for this account.", "DetailError"),
        ...COMMON_ERRORS,
      },
    },
  },
  "/servers/": {
    get: {
      operationId: "listServers",
      summary: "List the account's servers.",
      parameters: PAGE_PARAMETERS,
      responses: {
        "200": response("A page of servers.", "ServerPage"),
        "400": BAD_REQUEST,
        "404": PAGE_NOT_FOUND,
        ...COMMON_ERRORS,
      },
    },
  },
  "/servers/{server_id}/": {
    get: {
      operationId: "getServer",
      summary: "Read one server.",
      parameters: [pathId("server_id", "The server's id.", SAMPLE_SERVER_ID)],
      responses: {
        "200": response("The server.", "Server"),
        "404": response("The server does not exist for this account.", "DetailError"),
        ...COMMON_ERRORS,
      },
    },
  },
  "/servers/{server_id}/restore/": {
    post: {
      operationId: "restoreServer",
      summary: "Restore a server from one of its completed backups.",
      parameters: [pathId("server_id", "The server to restore.", SAMPLE_SERVER_ID)],
      requestBody: { required: true, content: json("RestoreServerRequest", SAMPLE_RESTORE) },
      responses: {
        "202": response("The restore has started; the server is `restoring`.", "RestoreResponse"),
        "400": response(
          "Bad body, or the backup is not completed, or it belongs to another server (`backup_id`).",
          "FieldErrors",
        ),
        "404": response("The server or the backup does not exist for this account.", "DetailError"),
        "409": response("The server is already being restored.", "DetailError"),
        ...COMMON_ERRORS,
      },
    },
  },
};

const SCHEMAS: Record<string, z.ZodType> = {
  Backup: api.ApiBackupSchema,
  BackupPage: api.ApiBackupPageSchema,
  CreateBackupRequest: api.CreateBackupRequestSchema,
  CreatedBackup: api.ApiCreatedBackupSchema,
  DetailError: api.ApiDetailErrorSchema,
  FieldErrors: api.ApiFieldErrorsSchema,
  RestoreResponse: api.ApiRestoreResponseSchema,
  RestoreServerRequest: api.RestoreServerRequestSchema,
  Server: api.ApiServerSchema,
  ServerPage: api.ApiServerPageSchema,
};

/** The platform's base URL (docs/api.md). */
export const PLATFORM_BASE_URL = "https://admin.vps.org/api/v1";

/** The OpenAPI document of the Backups API, built from the zod schemas. */
export function buildOpenApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "VPS Backups API",
      version: "1",
      description:
        "List, create and delete the backups of your VPS servers, and restore a server from one. " +
        "Generated from the zod schemas of the pulumi-vps-backups client (sdk/schemas.ts); the " +
        "contract and the decisions behind it are in docs/api.md.",
    },
    servers: [{ url: PLATFORM_BASE_URL }],
    security: [{ bearerAuth: [] }],
    paths: PATHS,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "The account's API token: `Authorization: Bearer <token>`.",
        },
      },
      headers: RATE_LIMIT_HEADERS,
      responses: SHARED_RESPONSES,
      schemas: Object.fromEntries(
        Object.entries(SCHEMAS).map(([name, schema]) => [name, jsonSchema(schema)]),
      ),
    },
  };
}

/** The document as written to docs/openapi.json: two-space JSON with a trailing newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
