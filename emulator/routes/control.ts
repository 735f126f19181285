/**
 * The control endpoint (/_emulator/, admin token): inventory, request counts, reset, faults,
 * the virtual clock, accounts, and the lifecycle of single backups, for tests and tools.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { IdSchema, PathIdSchema } from "../../sdk/schemas";
import type { FaultInjector } from "../faults";
import type { RequestCounter } from "../request-counter";
import { ConflictError, NotFoundError } from "../model";
import type { EmulatorState } from "../state";
import {
  ADMIN_TOKEN_HEADER,
  type ApiMethod,
  CONTROL_PREFIX,
  HttpError,
  type SendJson,
  detail,
  jsonBody,
  parseWith,
  toFieldErrors,
} from "./reply";

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

/** What the control endpoint needs from the rest of the emulator. */
export interface ControlDependencies {
  state: EmulatorState;
  faults: FaultInjector;
  requests: RequestCounter;
  adminToken: string;
  /** Back to the seed, the initial faults and zeroed counters. */
  reset(): void;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Registers every control route on the app. */
export function registerControlRoutes(
  app: FastifyInstance,
  deps: ControlDependencies,
  sendJson: SendJson,
): void {
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
