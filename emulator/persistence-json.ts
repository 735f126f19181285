/**
 * Reads data files of the first format: the whole state as one JSON document, rewritten after
 * every mutation (emulators before the SQLite store, `persistence-sqlite.ts`). Only read now,
 * to migrate such a file (see `persistence.ts`).
 */
import { readFileSync } from "node:fs";
import type { StateSnapshot } from "./model";

/** Reads a JSON data file; throws naming the file when it is not a version 1 emulator state. */
export function loadJsonSnapshot(path: string): StateSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `Cannot read emulator data file ${path}: ${(error as Error).message}. ` +
        "It is neither an emulator database nor a JSON state; move it away or pick another file.",
      { cause: error },
    );
  }
  const snapshot = parsed as Partial<StateSnapshot>;
  if (
    snapshot?.version !== 1 ||
    !Array.isArray(snapshot.accounts) ||
    !Array.isArray(snapshot.servers) ||
    !Array.isArray(snapshot.backups)
  ) {
    throw new Error(
      `Emulator data file ${path} is not a version 1 emulator state; move it away or pick another file`,
    );
  }
  return snapshot as StateSnapshot;
}
