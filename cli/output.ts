/**
 * What a command prints: data on stdout (a table, or JSON with the sdk's camelCase field
 * names for scripts), everything else (progress, warnings, errors) on stderr.
 */
import Table from "cli-table3";
import type { OutputFormat } from "./args";

/** One column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
}

/** Where and how a command writes. */
export interface Output {
  format: OutputFormat;
  header: boolean;
  /** Colours on stderr (off with NO_COLOR, or when stderr is not a terminal). */
  color: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Prints rows as a table or, with `-o json`, the objects themselves as a JSON array. */
export function printList<T>(output: Output, rows: T[], columns: Column<T>[]): void {
  if (output.format === "json") {
    output.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  output.stdout.write(renderTable(output, rows, columns));
}

/** Prints one object: a one-row table, or the object as JSON. */
export function printOne<T>(output: Output, row: T, columns: Column<T>[]): void {
  if (output.format === "json") {
    output.stdout.write(`${JSON.stringify(row, null, 2)}\n`);
    return;
  }
  output.stdout.write(renderTable(output, [row], columns));
}

/** A borderless, left-aligned table as `hcloud` and `doctl` print them (no colour: stdout is data). */
export function renderTable<T>(output: Output, rows: T[], columns: Column<T>[]): string {
  const table = new Table({
    head: output.header ? columns.map((column) => column.header) : [],
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "   ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
  });
  for (const row of rows) {
    table.push(columns.map((column) => cell(column.value(row))));
  }
  if (table.length === 0 && !output.header) return "";
  // cli-table3 pads every cell to its column; trailing spaces only clutter copy and paste.
  const text = table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
  return `${text}\n`;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "-";
  return String(value).replace(/[\r\n\t]+/g, " ");
}

/** A line for the person at the terminal (stderr), never for scripts reading stdout. */
export function note(output: Output, message: string): void {
  output.stderr.write(`${message}\n`);
}

/** Megabytes as people read them. */
export function formatSize(sizeMb: number | null): string {
  if (sizeMb === null) return "-";
  return sizeMb >= 1024 ? `${(sizeMb / 1024).toFixed(1)} GB` : `${sizeMb} MB`;
}
