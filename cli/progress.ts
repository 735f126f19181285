/**
 * Progress of a long wait, on stderr. On a terminal: one spinner line with the backup, its
 * status and the time waited (nanospinner, which also honours NO_COLOR). Elsewhere (a CI log,
 * a pipe): a plain timestamped line when the status changes, and a heartbeat every 30 s.
 * nanospinner animates only when stdout is a terminal too, so a command whose data is piped
 * (`create --wait -o json | jq`) gets the plain lines.
 */
import { createSpinner } from "nanospinner";
import type { Output } from "./output";

export interface Progress {
  /** The latest status seen. */
  update(status: string): void;
  succeed(message: string): void;
  fail(message: string): void;
}

const HEARTBEAT_MS = 30_000;

/** Seconds, minutes and seconds, or hours and minutes: `42s`, `3m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Starts showing progress for `subject` (e.g. "backup 501 of server 12345"). */
export function startProgress(output: Output, subject: string, initialStatus: string): Progress {
  const startedAtMs = Date.now();
  let status = initialStatus;
  const text = () => `${subject}: ${status} (${formatElapsed(Date.now() - startedAtMs)})`;

  if (output.stderr.isTTY && (output.stdout as { isTTY?: boolean }).isTTY) {
    const terminal = output.stderr as NodeJS.WriteStream;
    // nanospinner divides by the terminal's width to know how many lines to erase: a
    // terminal that reports 0 columns (some containers' ptys) would make that endless.
    const stream = {
      write: (chunk: string) => terminal.write(chunk),
      get columns() {
        return terminal.columns > 0 ? terminal.columns : 80;
      },
    } as unknown as NodeJS.WriteStream;
    const spinner = createSpinner(text(), {
      stream,
      color: output.color ? "cyan" : "white",
    }).start();
    // The spinner redraws its text; refresh the elapsed time once a second.
    const ticker = setInterval(() => spinner.update({ text: text() }), 1_000);
    ticker.unref();
    return {
      update(next) {
        status = next;
        spinner.update({ text: text() });
      },
      succeed(message) {
        clearInterval(ticker);
        spinner.success({ text: `${message} (${formatElapsed(Date.now() - startedAtMs)})` });
      },
      fail(message) {
        clearInterval(ticker);
        spinner.error({ text: `${message} (${formatElapsed(Date.now() - startedAtMs)})` });
      },
    };
  }

  const line = (message: string) => output.stderr.write(`${new Date().toISOString()} ${message}\n`);
  line(text());
  let lastLineAtMs = Date.now();
  return {
    update(next) {
      if (next !== status || Date.now() - lastLineAtMs >= HEARTBEAT_MS) {
        status = next;
        line(text());
        lastLineAtMs = Date.now();
      }
    },
    succeed(message) {
      line(`${message} (${formatElapsed(Date.now() - startedAtMs)})`);
    },
    fail(message) {
      line(`${message} (${formatElapsed(Date.now() - startedAtMs)})`);
    },
  };
}
