/**
 * The emulator's HTTP server (fastify): the Backups API under /api/v1, answering as the
 * contract says (docs/api.md, decisions 1–17), and the control endpoint under /_emulator/.
 *
 * Requests are validated and replies shaped with the sdk's zod schemas; there is no second copy
 * of the contract here. Every error body follows Django REST Framework, and nothing a client
 * sends can make it answer 500 (only the error fault does).
 *
 * This file sets up the app: body parsing, faults, request counting and error handling. The
 * routes themselves are in `routes/` (backups, servers, and the control endpoint).
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { PathIdSchema } from "../sdk/schemas";
import type { FaultDecision, FaultInjector } from "./faults";
import type { RequestCounter } from "./request-counter";
import { registerBackupRoutes } from "./routes/backups";
import { registerControlRoutes } from "./routes/control";
import { OPENAPI_PATH, registerOpenApiRoute } from "./routes/openapi";
import {
  API_PREFIX,
  type ApiHandler,
  type ApiMethod,
  type ApiRouter,
  CONTROL_PREFIX,
  HttpError,
  detail,
} from "./routes/reply";
import { registerServerRoutes } from "./routes/servers";
import type { EmulatorAccount } from "./model";
import type { EmulatorState } from "./state";

export { ADMIN_TOKEN_HEADER, API_PREFIX, CONTROL_PREFIX } from "./routes/reply";
export { CREATE_MESSAGE } from "./routes/backups";
export { RESTORE_MESSAGE } from "./routes/servers";

/** What the HTTP layer needs from the rest of the emulator. */
export interface ServerDependencies {
  state: EmulatorState;
  faults: FaultInjector;
  requests: RequestCounter;
  adminToken: string;
  /** Receives one line per request (method, path, status, duration); never a token. */
  log?: (line: string) => void;
  /** Largest request body accepted, bytes (413 beyond). */
  bodyLimitBytes: number;
  /** Back to the seed, the initial faults and zeroed counters. */
  reset(): void;
}

interface RequestContext {
  startedAt: number;
  decision: FaultDecision | null;
  /** Set once the request is counted (dropped and hung requests are counted where they end). */
  counted: boolean;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** A token's digest, to key rate limit buckets without keeping tokens around. */
function tokenKey(authorization: string | undefined): string {
  if (!authorization) return "anonymous";
  return createHash("sha256").update(authorization).digest("hex");
}

/** `/api/v1/backups/:backupId/` → `/backups/{backupId}/`, the contract's spelling. */
function routeLabel(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  if (!url) return "(unmatched)";
  return url.replace(API_PREFIX, "").replace(/:([A-Za-z]+)/g, "{$1}");
}

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? "/";
  const question = url.indexOf("?");
  return question === -1 ? url : url.slice(0, question);
}

const HTML_PROXY_PAGE =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const FAULT_ERROR_DETAILS: Record<number, string> = {
  500: "A server error occurred.",
  502: "Bad gateway.",
  503: "Service temporarily unavailable, try again later.",
  504: "Gateway timeout.",
};

/** Builds the fastify app (not listening yet). */
export function buildServer(deps: ServerDependencies): FastifyInstance {
  const { state, faults, requests } = deps;
  const contexts = new WeakMap<FastifyRequest, RequestContext>();

  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimitBytes,
    // stop() must not wait for hung or trickled answers.
    forceCloseConnections: true,
    // A path Django could not match (bad %-encoding) is a 404 there, not a 400.
    frameworkErrors: (_error, request, reply) => {
      void sendJson(request, reply, 404, { detail: "Not found." });
    },
  });

  // No route takes QUERY (RFC 10008), so read it without a body: it then gets the 405 of any
  // method a path does not answer, not fastify's 400 for a QUERY without a Content-Type.
  app.addHttpMethod("QUERY", { hasBody: false, overrideExisting: true });

  // Every body arrives as text whatever its content type; handlers parse JSON themselves so a
  // bad body is a DRF 400, never fastify's 415 or its own error shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  function finish(request: FastifyRequest, status: number | "dropped" | "hung"): void {
    const context = contexts.get(request);
    if (!context || context.counted) return;
    context.counted = true;
    const path = pathOf(request);
    if (!path.startsWith(CONTROL_PREFIX) && path !== OPENAPI_PATH)
      requests.record(request.method, routeLabel(request), status);
    if (deps.log) {
      const ms = (performance.now() - context.startedAt).toFixed(1);
      deps.log(`${request.method} ${path} ${status} ${ms}ms`);
    }
  }

  /** Sends a JSON answer, applying the response faults drawn for this request. */
  function sendJson(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    body: unknown,
  ): FastifyReply {
    const decision = contexts.get(request)?.decision ?? null;
    let payload = JSON.stringify(body);
    if (decision?.oversizedBytes && typeof body === "object" && body !== null) {
      const padding = Math.max(0, decision.oversizedBytes - payload.length - 20);
      payload = JSON.stringify({ ...body, padding: " ".repeat(padding) });
    }
    if (decision?.malformedJson)
      payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
    reply.code(status).header("content-type", "application/json");
    if (decision?.trickle) return sendTrickled(reply, payload, decision.trickle);
    return reply.send(payload);
  }

  function sendTrickled(
    reply: FastifyReply,
    payload: string,
    trickle: { bytes: number; intervalMs: number },
  ): FastifyReply {
    const bytes = Buffer.from(payload);
    async function* chunks() {
      for (let offset = 0; offset < bytes.length; offset += trickle.bytes) {
        if (offset > 0) await sleep(trickle.intervalMs);
        yield bytes.subarray(offset, offset + trickle.bytes);
      }
    }
    reply.header("content-length", String(bytes.length));
    return reply.send(Readable.from(chunks()));
  }

  function sendError(request: FastifyRequest, reply: FastifyReply, error: HttpError): FastifyReply {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return sendJson(request, reply, error.status, error.body);
  }

  /** Commits happened; the answer is lost on the way (a fault): the client sees a reset. */
  function dropConnection(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    finish(request, "dropped");
    reply.hijack();
    request.raw.socket.destroy();
    return reply;
  }

  app.addHook("onRequest", async (request, reply) => {
    contexts.set(request, { startedAt: performance.now(), decision: null, counted: false });
    const path = pathOf(request);
    // The control endpoint and the API's description are not the API: no limits, no faults.
    if (path.startsWith(CONTROL_PREFIX) || path === OPENAPI_PATH) return;

    const authorization = request.headers.authorization;
    const limit = faults.rateLimit(tokenKey(authorization), Date.now());
    if (limit) {
      for (const [name, value] of Object.entries(limit.headers)) reply.header(name, value);
      if (limit.limited) {
        reply.header("Retry-After", String(limit.retryAfterSeconds));
        return sendJson(request, reply, 429, {
          detail: `Request was throttled. Expected available in ${limit.retryAfterSeconds} seconds.`,
        });
      }
    }

    const relative = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
    const commits =
      request.method === "POST" &&
      (relative === "/backups/" || /^\/servers\/[^/]+\/restore\/$/.test(relative));
    const decision = faults.decide(request.method, relative, commits);
    const context = contexts.get(request);
    if (context) context.decision = decision;
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.hang) {
      finish(request, "hung");
      reply.hijack();
      return reply;
    }
    if (decision.htmlError) {
      return reply.code(502).header("content-type", "text/html").send(HTML_PROXY_PAGE);
    }
    if (decision.errorStatus !== null) {
      const message = FAULT_ERROR_DETAILS[decision.errorStatus] ?? "A server error occurred.";
      return sendJson(request, reply, decision.errorStatus, { detail: message });
    }
    return undefined;
  });

  app.addHook("onResponse", async (request, reply) => {
    finish(request, reply.statusCode);
  });

  app.setNotFoundHandler((request, reply) =>
    sendJson(request, reply, 404, { detail: "Not found." }),
  );

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) return sendError(request, reply, error);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const body =
        status === 400 ? { non_field_errors: [error.message] } : { detail: error.message };
      return sendJson(request, reply, status, body);
    }
    // Only the message and stack: request headers (the token) never reach a log.
    process.stderr.write(
      `vps-emulator: internal error on ${request.method} ${pathOf(request)}: ${error.stack ?? error.message}\n`,
    );
    return sendJson(request, reply, 500, { detail: "A server error occurred." });
  });

  // -------------------------------------------------------------------------------------------
  // The API
  // -------------------------------------------------------------------------------------------

  function authenticate(request: FastifyRequest): EmulatorAccount {
    const header = request.headers.authorization;
    const unauthorized = (message: string) =>
      detail(401, message, { "WWW-Authenticate": 'Bearer realm="api"' });
    if (!header) throw unauthorized("Authentication credentials were not provided.");
    const parts = header.trim().split(/\s+/);
    const keyword = parts[0]?.toLowerCase();
    if (keyword !== "bearer" && keyword !== "token") {
      throw unauthorized("Authentication credentials were not provided.");
    }
    if (parts.length === 1) throw unauthorized("Invalid token header. No credentials provided.");
    if (parts.length > 2) {
      throw unauthorized("Invalid token header. Token string should not contain spaces.");
    }
    const account = state.authenticate(parts[1] ?? "");
    if (!account) throw unauthorized("Invalid token.");
    return account;
  }

  /** See {@link ApiRouter.route}. */
  function apiRoute(path: string, handlers: Partial<Record<ApiMethod, ApiHandler>>): void {
    const allowed = Object.keys(handlers) as ApiMethod[];
    if (handlers.GET) allowed.push("HEAD");
    app.route({
      // Every method fastify knows (TRACE and QUERY too), so each one the path does not answer
      // is a 405 with Allow, as DRF answers, not a 404.
      method: app.supportedMethods,
      url: `${API_PREFIX}${path}`,
      handler: async (request, reply) => {
        try {
          const ids: Record<string, number> = {};
          for (const [name, raw] of Object.entries(request.params as Record<string, string>)) {
            const id = PathIdSchema.safeParse(raw);
            if (!id.success) throw detail(404, "Not found.");
            ids[name] = id.data;
          }
          const account = authenticate(request);
          state.tick();
          const method = (request.method === "HEAD" ? "GET" : request.method) as ApiMethod;
          const handler = handlers[method];
          if (!handler) {
            reply.header("Allow", allowed.join(", "));
            throw detail(405, `Method "${request.method}" not allowed.`);
          }
          return await handler({ request, reply, account, ids });
        } catch (error) {
          if (error instanceof HttpError) return sendError(request, reply, error);
          throw error;
        }
      },
    });
  }

  const router: ApiRouter = {
    state,
    faults,
    route: apiRoute,
    sendJson,
    sendCommitted: (request, reply, status, body) =>
      contexts.get(request)?.decision?.dropAfterCommit
        ? dropConnection(request, reply)
        : sendJson(request, reply, status, body),
  };
  registerBackupRoutes(router);
  registerServerRoutes(router);
  registerControlRoutes(app, deps, sendJson);
  registerOpenApiRoute(app);
  return app;
}
