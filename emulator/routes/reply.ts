/**
 * What every route family of the emulator shares: where things live, the DRF-shaped errors
 * (docs/api.md), body and query parsing with the sdk's zod schemas, and DRF paging links.
 *
 * Only types come from fastify here, so nothing in this folder loads it before `load-fastify`.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { DEFAULT_PAGE_SIZE, type ApiFieldErrors } from "../../sdk/schemas";
import type { FaultInjector } from "../faults";
import type { EmulatorAccount } from "../model";
import type { EmulatorState } from "../state";

/** Where the API lives on the emulator's origin. */
export const API_PREFIX = "/api/v1";
/** Where the control endpoint lives. */
export const CONTROL_PREFIX = "/_emulator";
/** Header that carries the admin token on control requests (Bearer works too). */
export const ADMIN_TOKEN_HEADER = "x-emulator-admin-token";

export type ApiMethod = "GET" | "POST" | "DELETE" | "PUT" | "PATCH" | "OPTIONS" | "HEAD";

/** Sends a JSON answer, applying the response faults drawn for the request. */
export type SendJson = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: unknown,
) => FastifyReply;

/** One authenticated API request, its path ids already checked. */
export interface ApiCall {
  request: FastifyRequest;
  reply: FastifyReply;
  account: EmulatorAccount;
  ids: Record<string, number>;
}

export type ApiHandler = (call: ApiCall) => Promise<FastifyReply> | FastifyReply;

/** What a family of API routes gets to register itself. */
export interface ApiRouter {
  state: EmulatorState;
  faults: FaultInjector;
  /**
   * Registers a path for every method: path ids are checked first (a bad id is a 404, as a
   * Django URL pattern would not match), then the token (401), then the method (405).
   */
  route(path: string, handlers: Partial<Record<ApiMethod, ApiHandler>>): void;
  sendJson: SendJson;
  /**
   * Answers a request whose change is committed; when the fault drawn for it says so, the
   * answer is lost on the way instead (the client sees a reset).
   */
  sendCommitted: SendJson;
}

/** Thrown inside handlers to answer a DRF-shaped error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export const detail = (status: number, message: string, headers?: Record<string, string>) =>
  new HttpError(status, { detail: message }, headers);
export const fieldErrors = (errors: ApiFieldErrors) => new HttpError(400, errors);

/** DRF's field errors from a zod error; a missing field says "This field is required." */
export function toFieldErrors(error: z.ZodError, input: unknown): ApiFieldErrors {
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

export function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fieldErrors(toFieldErrors(parsed.error, input));
  return parsed.data;
}

/** The JSON object in a request body; an empty body counts as `{}` (DRF does the same). */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
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

/** A DRF page of `items` with absolute `next`/`previous` (docs/api.md, decision 2). */
export function paginate<T>(
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
