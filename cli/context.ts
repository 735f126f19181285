/**
 * What every command shares: the global flags, the output settings and a client built from
 * the credentials (`--api-url` or `VPS_API_URL`, and `VPS_API_TOKEN`). The token is read from
 * the environment only: a flag would leave it in the shell history and in `ps` output.
 */
import { VpsClient, type VpsLogger } from "../sdk";
import { parseOutputFormat } from "./args";
import { UsageError } from "./errors";
import type { Output } from "./output";

/** The global flags, as commander hands them over. */
export interface GlobalFlags {
  apiUrl?: string;
  output?: string;
  header?: boolean;
  verbose?: boolean;
}

export interface CommandContext {
  output: Output;
  /** Whether stdin is a terminal a confirmation can be asked on. */
  interactive: boolean;
  /** The client; built on first use, so usage errors are found before credentials. */
  client(): VpsClient;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function createContext(flags: GlobalFlags, streams: Streams): CommandContext {
  const output: Output = {
    format: parseOutputFormat(flags.output ?? "table"),
    header: flags.header !== false,
    color: Boolean(streams.stderr.isTTY) && !streams.env.NO_COLOR,
    stdout: streams.stdout,
    stderr: streams.stderr,
  };
  let client: VpsClient | undefined;
  return {
    output,
    interactive: Boolean(streams.stdin.isTTY),
    client() {
      if (client) return client;
      const apiToken = streams.env.VPS_API_TOKEN;
      if (apiToken === undefined || apiToken.trim() === "") {
        throw new UsageError(
          "no API token: set VPS_API_TOKEN (create a token in the platform's control panel)",
        );
      }
      const baseUrl = flags.apiUrl ?? streams.env.VPS_API_URL;
      // The sdk's warnings (an adopted backup after a lost answer) matter to the operator.
      const logger: VpsLogger = {
        debug: (message) => {
          if (flags.verbose) streams.stderr.write(`debug: ${message}\n`);
        },
        warn: (message) => streams.stderr.write(`warning: ${message}\n`),
      };
      client = new VpsClient({
        ...(baseUrl !== undefined && baseUrl !== "" ? { baseUrl } : {}),
        apiToken,
        logger,
      });
      return client;
    },
  };
}
