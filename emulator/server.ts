/**
 * The emulator's HTTP server (fastify): the Backups API under /api/v1, answering as the
 * contract says (docs/api.md, decisions 1–17), and the control endpoint under /_emulator/.
 *
 * Requests are validated and replies shaped with the sdk's zod schemas; there is no second copy
 * of the contract here. Every error body follows Django REST Framework, and nothing a client
 * sends can make it answer 500 (only the error fault does).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import {
  ApiBackupPageSchema,
  ApiCreatedBackupSchema,
  ApiRestoreResponseSchema,
  ApiServerPageSchema,
  ApiServerSchema,
  CreateBackupRequestSchema,
  IdSchema,
  ListBackupsQuerySchema,
  PageQuerySchema,
  PathIdSchema,
  RestoreServerRequestSchema,
  DEFAULT_PAGE_SIZE,
  type ApiFieldErrors,
} from "../sdk/schemas";
import type { FaultDecision, FaultInjector } from "./faults";
import type { RequestCounter } from "./request-counter";
import { ConflictError, type EmulatorAccount, type EmulatorState, NotFoundError } from "./state";

/** Where the API lives on the emulator's origin. */
export const API_PREFIX = "/api/v1";
/** Where the control endpoint lives. */
export const CONTROL_PREFIX = "/_emulator";
/** Header that carries the admin token on control requests (Bearer works too). */
export const ADMIN_TOKEN_HEADER = "x-emulator-admin-token";

/** The 201 message of a create, as on the page. */
export const CREATE_MESSAGE =
  "Backup is being created. This may take several minutes depending on server size.";
/** The 202 message of a restore. */
export const RESTORE_MESSAGE =
  "Server restore has started. This may take several minutes depending on backup size.";

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

type ApiMethod = "GET" | "POST" | "DELETE" | "PUT" | "PATCH" | "OPTIONS" | "HEAD";
const ALL_METHODS: ApiMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

interface RequestContext {
  startedAt: number;
  decision: FaultDecision | null;
  /** Set once the request is counted (dropped and hung requests are counted where they end). */
  counted: boolean;
}

interface ApiCall {
  request: FastifyRequest;
  reply: FastifyReply;
  account: EmulatorAccount;
  ids: Record<string, number>;
}

type ApiHandler = (call: ApiCall) => Promise<FastifyReply> | FastifyReply;

/** Thrown inside handlers to answer a DRF-shaped error. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const detail = (status: number, message: string, headers?: Record<string, string>) =>
  new HttpError(status, { detail: message }, headers);
const fieldErrors = (errors: ApiFieldErrors) => new HttpError(400, errors);

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** DRF's field errors from a zod error; a missing field says "This field is required." */
function toFieldErrors(error: z.ZodError, input: unknown): ApiFieldErrors {
  const errors: ApiFieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "non_field_errors";
    const first = issue.path[0];
    const missing =
      issue.path.length === 1 &&
      typeof input === "object" &&
      input !== null &&
      (input as Record<PropertyKey, unknown>)[first as PropertyKey] === undefined;
    (errors[field] ??= []).push(missing ? "This field is required." : issue.message);
  }
  return errors;
}

function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fieldErrors(toFieldErrors(parsed.error, input));
  return parsed.data;
}

/** The JSON object in a request body; an empty body counts as `{}` (DRF does the same). */
function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const text = typeof request.body === "string" ? request.body : "";
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fieldErrors({ non_field_errors: [`JSON parse error - ${(error as Error).message}`] });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "list" : value === null ? "null" : typeof value;
    throw fieldErrors({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${kind}.`],
    });
  }
  return value as Record<string, unknown>;
}

/** A token's digest, to key rate limit buckets without keeping tokens around. */
function tokenKey(authorization: string | undefined): string {
  if (!authorization) return "anonymous";
  return createHash("sha256").update(authorization).digest("hex");
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
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

  // Every body arrives as text whatever its content type; handlers parse JSON themselves so a
  // bad body is a DRF 400, never fastify's 415 or its own error shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  function finish(request: FastifyRequest, status: number | "dropped" | "hung"): void {
    const context = contexts.get(request);
    if (!context || context.counted) return;
    context.counted = true;
    const path = pathOf(request);
    if (!path.startsWith(CONTROL_PREFIX))
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
    if (path.startsWith(CONTROL_PREFIX)) return;

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

  /**
   * Registers a path for every method: path ids are checked first (a bad id is a 404, as a
   * Django URL pattern would not match), then the token (401), then the method (405).
   */
  function apiRoute(path: string, handlers: Partial<Record<ApiMethod, ApiHandler>>): void {
    const allowed = Object.keys(handlers) as ApiMethod[];
    if (handlers.GET) allowed.push("HEAD");
    app.route({
      method: ALL_METHODS,
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

  /** A DRF page of `items` with absolute `next`/`previous` (docs/api.md, decision 2). */
  function paginate<T>(
    request: FastifyRequest,
    items: T[],
    page = 1,
    pageSize = DEFAULT_PAGE_SIZE,
  ) {
    const pages = Math.max(1, Math.ceil(items.length / pageSize));
    if (page > pages) throw detail(404, "Invalid page.");
    const base = new URL(request.raw.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
    const link = (target: number) => {
      const url = new URL(base);
      if (target === 1) url.searchParams.delete("page");
      else url.searchParams.set("page", String(target));
      return url.toString();
    };
    return {
      count: items.length,
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: items.slice((page - 1) * pageSize, page * pageSize),
    };
  }

  apiRoute("/backups/", {
    GET: ({ request, reply, account }) => {
      const query = parseWith(ListBackupsQuerySchema, request.query);
      const backups = state.backupsOf(account.id, {
        serverId: query.server_id,
        backupType: query.backup_type,
      });
      const page = paginate(request, backups, query.page, query.page_size);
      const body = ApiBackupPageSchema.parse({
        ...page,
        results: page.results.map((b) => state.toApiBackup(b)),
      });
      return sendJson(request, reply, 200, body);
    },
    POST: ({ request, reply, account }) => {
      const input = parseWith(CreateBackupRequestSchema, jsonBody(request));
      const server = state.findServer(account.id, input.server_id);
      if (!server) throw detail(404, `Server ${input.server_id} not found.`);
      if (faults.oneBackupPerServer && state.hasRunningBackup(server.id)) {
        throw detail(409, "A backup of this server is already in progress.");
      }
      const backup = state.createManualBackup(server, input.description ?? null);
      const body = ApiCreatedBackupSchema.parse({
        ...state.toApiBackup(backup),
        message: CREATE_MESSAGE,
      });
      if (contexts.get(request)?.decision?.dropAfterCommit) return dropConnection(request, reply);
      return sendJson(request, reply, 201, body);
    },
  });

  apiRoute("/backups/:backupId/", {
    DELETE: ({ reply, account, ids }) => {
      const backupId = ids.backupId ?? 0;
      if (!state.findBackup(account.id, backupId))
        throw detail(404, `Backup ${backupId} not found.`);
      state.deleteBackup(backupId);
      return reply.code(204).send();
    },
  });

  apiRoute("/servers/", {
    GET: ({ request, reply, account }) => {
      const query = parseWith(PageQuerySchema, request.query);
      const page = paginate(request, state.serversOf(account.id), query.page, query.page_size);
      const body = ApiServerPageSchema.parse({
        ...page,
        results: page.results.map((s) => state.toApiServer(s)),
      });
      return sendJson(request, reply, 200, body);
    },
  });

  apiRoute("/servers/:serverId/", {
    GET: ({ request, reply, account, ids }) => {
      const serverId = ids.serverId ?? 0;
      const server = state.findServer(account.id, serverId);
      if (!server) throw detail(404, `Server ${serverId} not found.`);
      return sendJson(request, reply, 200, ApiServerSchema.parse(state.toApiServer(server)));
    },
  });

  apiRoute("/servers/:serverId/restore/", {
    POST: ({ request, reply, account, ids }) => {
      const serverId = ids.serverId ?? 0;
      const server = state.findServer(account.id, serverId);
      if (!server) throw detail(404, `Server ${serverId} not found.`);
      const input = parseWith(RestoreServerRequestSchema, jsonBody(request));
      const backup = state.findBackup(account.id, input.backup_id);
      if (!backup) throw detail(404, `Backup ${input.backup_id} not found.`);
      if (backup.serverId !== server.id) {
        throw fieldErrors({
          backup_id: [`Backup ${backup.id} belongs to another server, not to server ${server.id}.`],
        });
      }
      if (backup.status !== "completed") {
        throw fieldErrors({
          backup_id: [
            `Backup ${backup.id} is not completed (status: ${backup.status}); only completed backups can be restored.`,
          ],
        });
      }
      if (state.serverStatus(server) === "restoring") {
        throw detail(409, `Server ${server.id} is already being restored.`);
      }
      state.startRestore(server);
      const body = ApiRestoreResponseSchema.parse({
        message: RESTORE_MESSAGE,
        server_id: server.id,
        backup_id: backup.id,
        status: "restoring",
      });
      if (contexts.get(request)?.decision?.dropAfterCommit) return dropConnection(request, reply);
      return sendJson(request, reply, 202, body);
    },
  });

  registerControlRoutes(app, deps, sendJson);
  return app;
}

// ---------------------------------------------------------------------------------------------
// The control endpoint (/_emulator/, admin token)
// ---------------------------------------------------------------------------------------------

const NextBackupSchema = z.strictObject({
  outcome: z.enum(["completed", "failed", "stuck"]).optional(),
  durationMs: z.number().min(0).optional(),
});
const ClockSchema = z.strictObject({ advanceMs: z.number().min(0) });
const AccountSchema = z.strictObject({
  id: z.string().min(1).optional(),
  token: z.string().min(1),
  servers: z
    .array(
      z.strictObject({
        id: IdSchema.optional(),
        name: z.string().min(1),
        disk_gb: z.number().positive().optional(),
        status: z.string().min(1).optional(),
      }),
    )
    .optional(),
});
const BackupPatchSchema = z.strictObject({
  status: z.string().min(1).optional(),
  size_mb: z.number().nonnegative().nullable().optional(),
  description: z.string().nullable().optional(),
});

type SendJson = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: unknown,
) => FastifyReply;

function registerControlRoutes(app: FastifyInstance, deps: ServerDependencies, sendJson: SendJson) {
  const { state, faults, requests } = deps;

  function control(
    method: ApiMethod | ApiMethod[],
    path: string,
    handler: (request: FastifyRequest, ids: Record<string, number>) => unknown,
    status = 200,
  ): void {
    app.route({
      method,
      url: `${CONTROL_PREFIX}${path}`,
      handler: async (request, reply) => {
        try {
          const header = request.headers[ADMIN_TOKEN_HEADER];
          const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
          const given = typeof header === "string" ? header : bearer;
          if (!given || !sameSecret(given, deps.adminToken)) {
            throw detail(
              401,
              `The control endpoint needs the admin token (header ${ADMIN_TOKEN_HEADER} or Bearer).`,
            );
          }
          const ids: Record<string, number> = {};
          for (const [name, raw] of Object.entries(request.params as Record<string, string>)) {
            const id = PathIdSchema.safeParse(raw);
            if (!id.success) throw detail(404, "Not found.");
            ids[name] = id.data;
          }
          state.tick();
          const result = handler(request, ids);
          if (result === undefined) return reply.code(204).send();
          return sendJson(request, reply, status, result);
        } catch (error) {
          if (error instanceof HttpError) {
            for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
            return sendJson(request, reply, error.status, error.body);
          }
          if (error instanceof z.ZodError)
            return sendJson(request, reply, 400, toFieldErrors(error, {}));
          if (error instanceof NotFoundError)
            return sendJson(request, reply, 404, { detail: error.message });
          if (error instanceof ConflictError)
            return sendJson(request, reply, 409, { detail: error.message });
          throw error;
        }
      },
    });
  }

  const body = (request: FastifyRequest) => jsonBody(request);

  control("GET", "/inventory", () => state.inventory());
  control("GET", "/requests", () => ({ total: requests.count(), requests: requests.rows() }));
  control("DELETE", "/requests", () => {
    requests.clear();
  });
  control("POST", "/reset", () => {
    deps.reset();
  });
  control("GET", "/faults", () => faults.current);
  control("PUT", "/faults", (request) => faults.replace(body(request)));
  control(["PATCH", "POST"], "/faults", (request) => faults.merge(body(request)));
  control("DELETE", "/faults", () => faults.replace({}));
  control("GET", "/clock", () => ({ now: new Date(state.now()).toISOString() }));
  control("POST", "/clock", (request) => {
    const { advanceMs } = parseWith(ClockSchema, body(request));
    return { now: new Date(state.advanceClock(advanceMs)).toISOString() };
  });
  control(
    "POST",
    "/accounts",
    (request) => {
      const input = parseWith(AccountSchema, body(request));
      const created = state.createAccount({
        id: input.id,
        token: input.token,
        servers: input.servers?.map((s) => ({
          id: s.id,
          name: s.name,
          diskGb: s.disk_gb,
          status: s.status,
        })),
      });
      return { id: created.account.id, servers: created.servers.map((s) => state.toApiServer(s)) };
    },
    201,
  );
  control("POST", "/servers/:serverId/next-backup", (request, ids) => {
    state.queueNextBackup(ids.serverId ?? 0, parseWith(NextBackupSchema, body(request)));
  });
  control(
    "POST",
    "/servers/:serverId/automatic-backup",
    (_request, ids) => state.toApiBackup(state.makeAutomaticBackup(ids.serverId ?? 0)),
    201,
  );
  control("POST", "/backups/:backupId/expire", (_request, ids) => {
    state.expireBackup(ids.backupId ?? 0);
  });
  control("POST", "/backups/:backupId/fail", (_request, ids) =>
    state.toApiBackup(state.finishBackup(ids.backupId ?? 0, "failed")),
  );
  control("POST", "/backups/:backupId/complete", (_request, ids) =>
    state.toApiBackup(state.finishBackup(ids.backupId ?? 0, "completed")),
  );
  control("POST", "/backups/:backupId/stuck", (_request, ids) =>
    state.toApiBackup(state.makeStuck(ids.backupId ?? 0)),
  );
  control("PATCH", "/backups/:backupId", (request, ids) => {
    const patch = parseWith(BackupPatchSchema, body(request));
    return state.toApiBackup(
      state.patchBackup(ids.backupId ?? 0, {
        status: patch.status,
        sizeMb: patch.size_mb,
        description: patch.description,
      }),
    );
  });
  control("DELETE", "/backups/:backupId", (_request, ids) => {
    state.deleteOutOfBand(ids.backupId ?? 0);
  });
}
