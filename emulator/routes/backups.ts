/** The backups routes of the API: list (with filters), create, delete (docs/api.md). */
import {
  ApiBackupPageSchema,
  ApiCreatedBackupSchema,
  CreateBackupRequestSchema,
  ListBackupsQuerySchema,
} from "../../sdk/schemas";
import { type ApiRouter, detail, jsonBody, paginate, parseWith } from "./reply";

/** The 201 message of a create, as on the page. */
export const CREATE_MESSAGE =
  "Backup is being created. This may take several minutes depending on server size.";

export function registerBackupRoutes({ state, faults, route, sendJson, sendCommitted }: ApiRouter) {
  route("/backups/", {
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
      return sendCommitted(request, reply, 201, body);
    },
  });

  route("/backups/:backupId/", {
    DELETE: ({ reply, account, ids }) => {
      const backupId = ids.backupId ?? 0;
      if (!state.findBackup(account.id, backupId))
        throw detail(404, `Backup ${backupId} not found.`);
      state.deleteBackup(backupId);
      return reply.code(204).send();
    },
  });
}
