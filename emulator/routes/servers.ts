/** The servers routes of the API: list, read, restore (docs/api.md). */
import {
  ApiRestoreResponseSchema,
  ApiServerPageSchema,
  ApiServerSchema,
  PageQuerySchema,
  RestoreServerRequestSchema,
} from "../../sdk/schemas";
import { type ApiRouter, detail, fieldErrors, jsonBody, paginate, parseWith } from "./reply";

/** The 202 message of a restore. */
export const RESTORE_MESSAGE =
  "Server restore has started. This may take several minutes depending on backup size.";

export function registerServerRoutes({ state, route, sendJson, sendCommitted }: ApiRouter) {
  route("/servers/", {
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

  route("/servers/:serverId/", {
    GET: ({ request, reply, account, ids }) => {
      const serverId = ids.serverId ?? 0;
      const server = state.findServer(account.id, serverId);
      if (!server) throw detail(404, `Server ${serverId} not found.`);
      return sendJson(request, reply, 200, ApiServerSchema.parse(state.toApiServer(server)));
    },
  });

  route("/servers/:serverId/restore/", {
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
      return sendCommitted(request, reply, 202, body);
    },
  });
}
