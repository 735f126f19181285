/**
 * The emulator's data file: a SQLite database (Node's built-in `node:sqlite`), one row per
 * server and per backup plus one row for the rest of the state (accounts, counters, clock,
 * queued overrides). A mutation writes only the rows it changed, in one transaction, so its
 * cost does not grow with the number of stored backups.
 *
 * Durability: write-ahead log with `synchronous = FULL`, so every commit is fsynced before
 * the answer leaves; a kill -9 right after a 2xx never loses what it reported, and a kill
 * mid-write rolls back to the previous commit on the next open.
 */
import { closeSync, openSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { EmulatorBackup, EmulatorServer, StateSnapshot } from "./model";
import { type FlatRecord, type RowChanges, RowMirror } from "./persistence-rows";

/** `PRAGMA user_version` of a database in this layout. */
export const DATABASE_FORMAT_VERSION = 2;

/** The state apart from servers and backups: small, stored as one JSON row. */
type StateHead = Omit<StateSnapshot, "servers" | "backups">;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS head (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS servers (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS backups (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL UNIQUE, data TEXT NOT NULL);
`;

/**
 * Loads `node:sqlite` without its one-time "experimental" warning: the emulator uses only the
 * settled part of the API (open, exec, prepare, run, all), and the warning would otherwise be
 * printed on every start with a data file. `getBuiltinModule` also keeps bundlers and test
 * runners that do not know the module from trying to resolve it.
 */
function loadSqlite(): typeof import("node:sqlite") {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  let sqlite: typeof import("node:sqlite") | undefined;
  try {
    // Absent before Node 22.3 (no getBuiltinModule) and, without a flag, before 22.13.
    sqlite = process.getBuiltinModule?.("node:sqlite");
  } catch {
    sqlite = undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
  if (!sqlite) {
    throw new Error(
      `The emulator's data file needs node:sqlite, built into Node 22.13 and later (this is Node ${process.version}); upgrade Node, or run the emulator without a data file`,
    );
  }
  return sqlite;
}

/** One table of flat records and its mirror of what it holds. */
class RecordTable<Row extends FlatRecord> {
  readonly mirror = new RowMirror<Row>();
  private readonly insert: StatementSync;
  private readonly update: StatementSync;
  private readonly remove: StatementSync;
  private readonly clear: StatementSync;

  constructor(
    private readonly database: DatabaseSync,
    private readonly name: "servers" | "backups",
  ) {
    this.insert = database.prepare(`INSERT INTO ${name} (id, data) VALUES (?, ?)`);
    this.update = database.prepare(`UPDATE ${name} SET data = ? WHERE id = ?`);
    this.remove = database.prepare(`DELETE FROM ${name} WHERE id = ?`);
    this.clear = database.prepare(`DELETE FROM ${name}`);
  }

  /** Every row, in the table's order. */
  readAll(): Row[] {
    return this.database
      .prepare(`SELECT data FROM ${this.name} ORDER BY seq`)
      .all()
      .map((row) => JSON.parse(String(row.data)) as Row);
  }

  /** Writes `changes` (inside the caller's transaction). */
  write(changes: RowChanges<Row>): void {
    if (changes.rewrite) this.clear.run();
    else for (const id of changes.deletedIds) this.remove.run(id);
    for (const row of changes.updated) this.update.run(JSON.stringify(row), row.id);
    for (const row of changes.inserted) this.insert.run(row.id, JSON.stringify(row));
  }
}

/** An open data file. */
export class SqliteStore {
  private readonly servers: RecordTable<EmulatorServer>;
  private readonly backups: RecordTable<EmulatorBackup>;
  private readonly writeHead: StatementSync;
  private writtenHead: string | undefined;

  private constructor(
    private readonly database: DatabaseSync,
    readonly path: string,
  ) {
    this.servers = new RecordTable(database, "servers");
    this.backups = new RecordTable(database, "backups");
    this.writeHead = database.prepare(
      "INSERT INTO head (key, value) VALUES ('state', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  /**
   * Opens (or creates, readable by its owner only: it holds the accounts' tokens) the database
   * at `path`. Throws naming the file when it is a database of another layout.
   */
  static open(path: string): SqliteStore {
    // Created here with mode 0600; SQLite gives its log files the same mode.
    closeSync(openSync(path, "a", 0o600));
    const { DatabaseSync: Database } = loadSqlite();
    const database = new Database(path);
    try {
      database.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
      const version = Number(database.prepare("PRAGMA user_version").get()?.user_version ?? 0);
      if (version !== 0 && version !== DATABASE_FORMAT_VERSION) {
        throw new Error(
          `Emulator data file ${path} is a database of format ${version}, not ${DATABASE_FORMAT_VERSION}; move it away or use an emulator of its version`,
        );
      }
      database.exec(`${SCHEMA} PRAGMA user_version = ${DATABASE_FORMAT_VERSION};`);
      return new SqliteStore(database, path);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** The stored state; undefined when nothing was saved yet. */
  load(): StateSnapshot | undefined {
    const head = this.database.prepare("SELECT value FROM head WHERE key = 'state'").get();
    if (head === undefined) return undefined;
    this.writtenHead = String(head.value);
    const servers = this.servers.readAll();
    const backups = this.backups.readAll();
    this.servers.mirror.accept({ rewrite: true, inserted: servers, updated: [], deletedIds: [] });
    this.backups.mirror.accept({ rewrite: true, inserted: backups, updated: [], deletedIds: [] });
    return { ...(JSON.parse(this.writtenHead) as StateHead), servers, backups };
  }

  /** Writes what changed since the last save, in one fsynced transaction. */
  save(state: Readonly<StateSnapshot>): void {
    const { servers, backups, ...rest } = state;
    const head = JSON.stringify(rest satisfies StateHead);
    const serverChanges = this.servers.mirror.changes(servers);
    const backupChanges = this.backups.mirror.changes(backups);
    const headChanged = head !== this.writtenHead;
    if (!headChanged && RowMirror.isEmpty(serverChanges) && RowMirror.isEmpty(backupChanges)) {
      return;
    }
    this.database.exec("BEGIN IMMEDIATE");
    try {
      if (headChanged) this.writeHead.run(head);
      this.servers.write(serverChanges);
      this.backups.write(backupChanges);
      this.database.exec("COMMIT");
    } catch (error) {
      this.database.exec("ROLLBACK");
      throw error;
    }
    this.writtenHead = head;
    this.servers.mirror.accept(serverChanges);
    this.backups.mirror.accept(backupChanges);
  }

  /** Closes the database (its log is folded back into the file and removed). */
  close(): void {
    if (this.database.isOpen) this.database.close();
  }
}
