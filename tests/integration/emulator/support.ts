/**
 * Raw HTTP helpers for the emulator's own tests: Node's global fetch, no client in between,
 * so the tests see exactly what the emulator sends.
 */
import { randomBytes } from "node:crypto";
import { type RunningEmulator, adminHeaders } from "../../../emulator";

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

/** A short random suffix for fixture names and tokens. */
export function randomSuffix(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Creates a fresh account with one server through the in-process handle, so a test works on
 * data no other test touches. Returns its token and server id.
 */
export function freshAccount(
  emulator: RunningEmulator,
  diskGb = 20,
): { token: string; serverId: number; accountId: string } {
  const suffix = randomSuffix();
  const { account, servers } = emulator.state.createAccount({
    id: `test-account-${suffix}`,
    token: `test-token-${suffix}`,
    servers: [{ name: `test-server-${suffix}`, diskGb }],
  });
  const server = servers[0];
  if (!server) throw new Error("createAccount returned no server");
  return { token: account.token, serverId: server.id, accountId: account.id };
}

/** Waits for a condition by polling the emulator (lifecycle tests at a tiny time scale). */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  attempts = 500,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Gave up waiting for ${what}`);
}
