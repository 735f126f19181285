/**
 * Raw HTTP for the integration tests: requests to the emulator through Node's global fetch
 * (no client in between, so a test sees exactly what the emulator sends), and tiny HTTP
 * servers on loopback for answers the emulator cannot give.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type RunningEmulator, adminHeaders } from "../../emulator";

/** What a raw request got back. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Options of one raw request. */
export interface RawRequest {
  method?: string;
  /** Sent as the body: strings as they are, anything else JSON-encoded. */
  body?: unknown;
  /** Token for `Authorization: Bearer`; null sends no Authorization header. Default the demo token. */
  token?: string | null;
  headers?: Record<string, string>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sends one request to a path relative to the API base URL (`/backups/`). */
export async function api(
  emulator: RunningEmulator,
  path: string,
  request: RawRequest = {},
): Promise<RawResponse> {
  const token = request.token === undefined ? emulator.demoToken : request.token;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    ...request.headers,
  };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === "string"
        ? request.body
        : JSON.stringify(request.body);
  const response = await fetch(`${emulator.url}${path}`, {
    method: request.method ?? "GET",
    headers,
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

/** Sends one request to the control endpoint (`/inventory`), with the admin token. */
export async function control(
  emulator: RunningEmulator,
  path: string,
  request: { method?: string; body?: unknown; adminToken?: string | null } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const adminToken = request.adminToken === undefined ? emulator.adminToken : request.adminToken;
  if (adminToken !== null) Object.assign(headers, adminHeaders(adminToken));
  const response = await fetch(`${emulator.origin}/_emulator${path}`, {
    method: request.method ?? "GET",
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
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
