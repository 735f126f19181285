/**
 * The wire: what the client hands a transport, what it gets back, and the default transport
 * (axios, redirects never followed, the body returned as text).
 */
import axios, { AxiosError } from "axios";
import { redactSecrets } from "../errors";

/** One HTTP request, as the client hands it to a {@link VpsTransport}. */
export interface TransportRequest {
  /** HTTP method. */
  method: "GET" | "POST" | "DELETE";
  /** Absolute URL. */
  url: string;
  /** Request headers, Authorization included. */
  headers: Record<string, string>;
  /** JSON text of the body, for POST. */
  body?: string;
  /** Aborted when the attempt times out, the deadline passes or the caller aborts. */
  signal: AbortSignal;
  /** Largest response body to accept, in bytes. */
  maxResponseBytes: number;
}

/** What a {@link VpsTransport} returns: any status (redirects are not followed), headers, text body. */
export interface TransportResponse {
  /** HTTP status, 3xx included (redirects are never followed). */
  status: number;
  /** Header names in lowercase. */
  headers: Record<string, string>;
  /** The body as text ("" when there was none). */
  body: string;
}

/**
 * Moves one request over the wire. Resolves with the response whatever its status; rejects
 * only when there is no response, with an error whose `code` says why (`ECONNRESET`,
 * `ECONNREFUSED`, …; `ERESPONSETOOLARGE` for a body over the cap). Tests pass a fake one.
 */
export type VpsTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** The default transport: axios, redirects never followed, body returned as text. */
export function createAxiosTransport(): VpsTransport {
  const instance = axios.create({
    // Following a redirect could carry the Authorization header to another host; the client
    // treats 3xx as an error instead.
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
  });
  return async (request) => {
    try {
      const response = await instance.request<unknown>({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.body,
        signal: request.signal,
        maxContentLength: request.maxResponseBytes,
        maxBodyLength: request.maxResponseBytes,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers ?? {})) {
        if (value !== undefined && value !== null)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
      }
      const body =
        typeof response.data === "string"
          ? response.data
          : response.data == null
            ? ""
            : String(response.data);
      return { status: response.status, headers, body };
    } catch (error) {
      // Rebuilt from the code and message only: AxiosError holds the config, whose headers
      // include the token.
      throw transportFailure(error);
    }
  };
}

function transportFailure(error: unknown): Error & { code?: string } {
  if (error instanceof AxiosError) {
    const tooLarge = /maxContentLength/.test(error.message);
    const code = tooLarge
      ? "ERESPONSETOOLARGE"
      : ((error.cause as { code?: string } | undefined)?.code ?? error.code);
    return Object.assign(new Error(redactSecrets(error.message)), { code });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(redactSecrets(message)), {
    code: typeof code === "string" ? code : undefined,
  });
}
