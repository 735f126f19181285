/**
 * `GET /openapi.json`: the Backups API's OpenAPI document (generated from sdk/schemas.ts, as in
 * docs/openapi.json), outside the API's authentication, rate limits and faults, so tools such
 * as fuzzers and API explorers can read it. This emulator comes first in its `servers`.
 */
import type { FastifyInstance } from "fastify";
import { buildOpenApiDocument } from "../../sdk/openapi/document";
import { API_PREFIX } from "./reply";

/** Where the emulator serves the document. */
export const OPENAPI_PATH = "/openapi.json";

export function registerOpenApiRoute(app: FastifyInstance): void {
  const document = buildOpenApiDocument();
  app.get(OPENAPI_PATH, async (request, reply) => {
    const origin = `${request.protocol}://${request.headers.host ?? "localhost"}`;
    const servers = [
      { url: `${origin}${API_PREFIX}`, description: "This emulator." },
      ...document.servers,
    ];
    return reply
      .code(200)
      .header("content-type", "application/json")
      .send(JSON.stringify({ ...document, servers }, null, 2));
  });
}
