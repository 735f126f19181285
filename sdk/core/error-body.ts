/**
 * Reading an error response: the platform's own words from its body (DRF `detail` or field
 * errors, redacted and clipped), and the sentence that says what the status means and what to
 * do about it.
 */
import { redactSecrets } from "../errors";
import { ApiDetailErrorSchema, ApiFieldErrorsSchema } from "../schemas";

const MAX_SERVER_MESSAGE_LENGTH = 300;

/** What an error body said. */
interface ErrorBody {
  /** The platform's words (`detail`, or the field errors joined), or null. */
  serverMessage: string | null;
  /** Field errors of a 400 (`{"server_id": ["…"]}`). */
  fieldErrors?: Record<string, string[]>;
  /** Appended to the message when the body said nothing usable (empty, HTML, no detail). */
  bodyNote: string;
}

/** Reads an error response's body text. */
export function readErrorBody(text: string): ErrorBody {
  const trimmed = text.trim();
  if (trimmed === "") return { serverMessage: null, bodyNote: " (the response body was empty)" };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return {
      serverMessage: null,
      bodyNote: " (the response body was not JSON — probably a page from a proxy or load balancer)",
    };
  }
  const detail = ApiDetailErrorSchema.safeParse(json);
  if (detail.success) return { serverMessage: clip(detail.data.detail), bodyNote: "" };
  const fields = ApiFieldErrorsSchema.safeParse(json);
  if (fields.success && Object.keys(fields.data).length > 0) {
    const fieldErrors = Object.fromEntries(
      Object.entries(fields.data).map(([name, reasons]) => [name, reasons.map(clip)]),
    );
    const joined = Object.entries(fieldErrors)
      .map(([name, reasons]) => `${name}: ${reasons.join(" ")}`)
      .join("; ");
    return { serverMessage: clip(joined), fieldErrors, bodyNote: "" };
  }
  return { serverMessage: null, bodyNote: " (the response body had no error detail)" };
}

// Redact before clipping, so a clipped echo of the token cannot survive as a fragment.
function clip(value: string): string {
  const redacted = redactSecrets(value);
  return redacted.length > MAX_SERVER_MESSAGE_LENGTH
    ? `${redacted.slice(0, MAX_SERVER_MESSAGE_LENGTH)}…`
    : redacted;
}

/** What an error status means for the call, and what to do: the middle of the error message. */
export function statusHint(
  status: number,
  body: ErrorBody,
  headers: Record<string, string>,
  context: { baseUrl: string; notFoundHint?: string },
): string {
  const { serverMessage, fieldErrors } = body;
  if (status >= 300 && status < 400) {
    const location = headers.location;
    let where = "another address";
    if (location) {
      try {
        where = new URL(location, context.baseUrl).origin;
      } catch {
        where = "an unparseable address";
      }
    }
    return `the API answered with a redirect to ${where}; the client never follows redirects, so the API token cannot leak to another host — set baseUrl (VPS_API_URL) to the final address`;
  }
  switch (status) {
    case 400:
    case 422:
      return `the platform rejected the request: ${fieldErrors ? serverMessage : (serverMessage ?? "no reason given")} — fix the argument${fieldErrors && Object.keys(fieldErrors).length > 1 ? "s" : ""} named`;
    case 401:
      return "the API token was rejected — check VPS_API_TOKEN or the apiToken option";
    case 403:
      return "the API token may not do this — check the token's permissions in the platform's control panel";
    case 404:
      return context.notFoundHint ?? "not found";
    case 408:
      return "the platform timed out reading the request — try again";
    case 409:
      return "the request conflicts with what the server is doing now — wait for the running operation to finish, then try again";
    case 429:
      return "rate limited by the platform — make fewer requests, or raise deadlineMs so the client can wait for Retry-After";
    default:
      if (status >= 500)
        return "the platform failed — try again later; if it persists, contact the platform's support";
      return "unexpected answer";
  }
}
