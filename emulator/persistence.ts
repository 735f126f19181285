/**
 * Keeps the emulator's state in a JSON file so it survives a restart.
 *
 * Every mutation is written synchronously before the answer leaves (write a temporary file,
 * fsync it, rename it over the old one, fsync the folder): a kill right after a 2xx never loses
 * what that 2xx reported, and a kill mid-write leaves the previous complete file. The state is
 * small (kilobytes), so writing it whole each time costs little.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { StateSnapshot } from "./model";

/** Reads a data file written by {@link saveSnapshot}; undefined when it does not exist yet. */
export function loadSnapshot(path: string): StateSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read emulator data file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const snapshot = parsed as Partial<StateSnapshot>;
  if (
    snapshot?.version !== 1 ||
    !Array.isArray(snapshot.accounts) ||
    !Array.isArray(snapshot.servers) ||
    !Array.isArray(snapshot.backups)
  ) {
    throw new Error(`Emulator data file ${path} is not a version 1 emulator state; move it away`);
  }
  return snapshot as StateSnapshot;
}

/** Writes the state atomically (temp file + fsync + rename + folder fsync). */
export function saveSnapshot(path: string, snapshot: StateSnapshot): void {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.tmp`);
  const descriptor = openSync(temporary, "w", 0o600);
  try {
    writeSync(descriptor, JSON.stringify(snapshot));
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path);
  try {
    const folderDescriptor = openSync(folder, "r");
    try {
      fsyncSync(folderDescriptor);
    } finally {
      closeSync(folderDescriptor);
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename is still atomic there.
  }
}
