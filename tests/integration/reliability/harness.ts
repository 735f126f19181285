/**
 * Shared set-up of the reliability tests: a fast emulator, fresh accounts with random
 * suffixes, a client tuned for tests (millisecond backoffs and polls), a transport that records
 * every request, and tiny raw HTTP servers on loopback for answers the emulator cannot give.
 */
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../../emulator";
import {
  VpsClient,
  type TransportRequest,
  type VpsClientOptions,
  createAxiosTransport,
} from "../../../sdk";

/** A short random suffix for fixture names, descriptions and tokens. */
export function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Starts the emulator with lifecycles a thousand times faster and no automatic backups, so the
 * only backups are the ones a test makes.
 */
export function startFastEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ timeScale: 0.001, autoBackupIntervalMs: 0, randomSeed: 7, ...options });
}

/** A fresh account with `serverCount` servers, on data no other test touches. */
export interface FreshAccount {
  accountId: string;
  token: string;
  serverIds: number[];
}

/** Creates a fresh account through the in-process handle. */
export function freshAccount(
  emulator: RunningEmulator,
  serverCount = 1,
  diskGb = 20,
): FreshAccount {
  const suffix = randomSuffix();
  const { account, servers } = emulator.state.createAccount({
    id: `reliability-${suffix}`,
    token: `reliability-token-${suffix}-${randomBytes(8).toString("hex")}`,
    servers: Array.from({ length: serverCount }, (_, index) => ({
      name: `rel-${suffix}-${index}`,
      diskGb,
    })),
  });
  return {
    accountId: account.id,
    token: account.token,
    serverIds: servers.map((server) => server.id),
  };
}

/** One request as a recording transport saw it, with how it ended. */
export interface RecordedRequest {
  method: string;
  url: URL;
  /** The HTTP status, or the transport error code (`ECONNRESET`, …) when there was no answer. */
  outcome: number | string;
}

/** The default axios transport, wrapped to record every request in order. */
export function recordingTransport(): {
  transport: NonNullable<VpsClientOptions["transport"]>;
  requests: RecordedRequest[];
} {
  const inner = createAxiosTransport();
  const requests: RecordedRequest[] = [];
  const transport = async (request: TransportRequest) => {
    const entry: RecordedRequest = {
      method: request.method,
      url: new URL(request.url),
      outcome: "pending",
    };
    requests.push(entry);
    try {
      const response = await inner(request);
      entry.outcome = response.status;
      return response;
    } catch (error) {
      entry.outcome = (error as { code?: string }).code ?? "error";
      throw error;
    }
  };
  return { transport, requests };
}

/**
 * A client for tests: millisecond backoffs and status polls (the emulator runs a thousand
 * times faster), everything else as the caller says.
 */
export function fastClient(
  baseUrl: string,
  apiToken: string,
  options: Partial<VpsClientOptions> = {},
): VpsClient {
  return new VpsClient({
    baseUrl,
    apiToken,
    retryBaseDelayMs: 2,
    retryMaxDelayMs: 20,
    timeoutMs: 5_000,
    deadlineMs: 30_000,
    pollSchedule: () => 5,
    ...options,
  });
}

/** Every backup of an account, from the emulator's inventory (the ground truth). */
export function inventoryBackups(
  emulator: RunningEmulator,
  accountId: string,
): { id: number; serverId: number; description: string | null; status: string }[] {
  const account = emulator.state
    .inventory()
    .accounts.find((candidate) => candidate.id === accountId);
  if (!account) throw new Error(`account ${accountId} is not in the emulator's inventory`);
  return account.servers.flatMap((server) =>
    server.backups.map((backup) => ({
      id: backup.id,
      serverId: server.id,
      description: backup.description ?? null,
      status: backup.status,
    })),
  );
}

/** A request a raw server received. */
export interface RawServerRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  receivedAtMs: number;
}

/** A tiny HTTP server on a loopback address, answering with `handler`. */
export interface RawServer {
  /** `http://host:port` */
  origin: string;
  requests: RawServerRequest[];
  close(): Promise<void>;
}

/** Starts a raw HTTP server on `host` (a loopback address) and a free port. */
export async function startRawServer(
  handler: (request: http.IncomingMessage, response: http.ServerResponse, index: number) => void,
  host = "127.0.0.1",
): Promise<RawServer> {
  const requests: RawServerRequest[] = [];
  const server = http.createServer((request, response) => {
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      receivedAtMs: Date.now(),
    });
    // Drain the body before answering so the client's write never races the answer.
    request.resume();
    request.on("end", () => handler(request, response, requests.length - 1));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON answer. */
export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** A backup in the API's wire format (as the page's sample shows). */
export function wireBackup(
  id: number,
  serverId: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    server: { id: serverId, name: `server-${serverId}` },
    backup_type: "manual",
    status: "in_progress",
    size_mb: null,
    created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    expires_at: null,
    description: null,
    ...fields,
  };
}
