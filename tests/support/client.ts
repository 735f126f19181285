/**
 * The client as the integration tests use it: millisecond backoffs and polls (the fast
 * emulator runs a thousand times faster), and a transport that records every request.
 */
import {
  VpsClient,
  type TransportRequest,
  type VpsClientOptions,
  createAxiosTransport,
} from "../../sdk";

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
