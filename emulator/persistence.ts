/**
 * Keeps the emulator's state in a data file so it survives a restart (`dataFile` / `--data`).
 *
 * The file is a SQLite database written row by row (`persistence-sqlite.ts`). A data file of
 * the first format (the whole state as JSON, `persistence-json.ts`) is migrated on open: read,
 * written into a new database beside it, kept as `FILE.v1.json`, and the database renamed over
 * FILE, so a kill at any point leaves either the old file or the new one, never neither.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
} from "node:fs";
import type { StateSnapshot } from "./model";
import { loadJsonSnapshot } from "./persistence-json";
import { SqliteStore } from "./persistence-sqlite";

export { SqliteStore } from "./persistence-sqlite";

const SQLITE_HEADER = "SQLite format 3\0";

/** The first bytes of a file (empty when it is shorter). */
function readHeader(path: string, length: number): string {
  const descriptor = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(descriptor, buffer, 0, length, 0);
    return buffer.subarray(0, read).toString("latin1");
  } finally {
    closeSync(descriptor);
  }
}

/** Where a first-format file is kept once migrated. */
export function migratedJsonPath(path: string): string {
  return `${path}.v1.json`;
}

function migrateJsonFile(path: string): void {
  const snapshot = loadJsonSnapshot(path);
  const temporary = `${path}.migrating`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${temporary}${suffix}`, { force: true });
  const store = SqliteStore.open(temporary);
  try {
    store.save(snapshot);
  } finally {
    store.close();
  }
  copyFileSync(path, migratedJsonPath(path));
  renameSync(temporary, path);
}

/**
 * Opens the data file at `path` (created when missing), migrating a first-format JSON file.
 * @throws Error naming the file when it is neither an emulator database nor an emulator JSON state
 */
export function openDataFile(path: string): { store: SqliteStore; initial?: StateSnapshot } {
  if (existsSync(path)) {
    const header = readHeader(path, SQLITE_HEADER.length);
    if (header.length > 0 && header !== SQLITE_HEADER) migrateJsonFile(path);
  }
  const store = SqliteStore.open(path);
  try {
    return { store, initial: store.load() };
  } catch (error) {
    store.close();
    throw error;
  }
}
