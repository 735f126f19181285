/**
 * What a killed run leaves in a file backend (`file://…`) that pulumi itself does not clean
 * up: the lock (a JSON file naming the process, its host and when it started), and sometimes a
 * metadata sidecar cut short.
 *
 * The sidecar: the file backend (gocloud's fileblob) saves each file by writing a temporary
 * file and renaming it over the old one, which is atomic, but it first rewrites the file's
 * `<file>.attrs` sidecar in place (truncate, then write). A kill between the two leaves the
 * sidecar empty, and from then on pulumi cannot read the stack: `failed to load checkpoint:
 * EOF` on every command. The sidecar holds only a content type and a checksum that pulumi does
 * not check, and fileblob reads a missing one as default metadata, so removing a broken one
 * loses nothing: the file beside it is its last complete save.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The lock of a file backend: who holds it and since when. */
export interface StackLock {
  file: string;
  pid: number | null;
  hostname: string | null;
  username: string | null;
  /** When the run that holds it took it (ms since epoch), or null. */
  timestampMs: number | null;
}

/** The stack's project and name, as the backend's folders spell them. */
export interface StackNames {
  project: string;
  stack: string;
}

/** The stack's own folder under `.pulumi/<kind>/`, in the project-scoped and the legacy layout. */
function stackFolders(folder: string, kind: string, names: StackNames): string[] {
  const shortStack = names.stack.split("/").pop() ?? names.stack;
  const projectScoped =
    kind === "locks"
      ? path.join(folder, ".pulumi", kind, "organization", names.project, shortStack)
      : path.join(folder, ".pulumi", kind, names.project, shortStack);
  return [projectScoped, path.join(folder, ".pulumi", kind, shortStack)];
}

function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((entry) => path.join(dir, entry)) : [];
}

/** The locks the backend in `folder` holds on the stack (`.pulumi/locks/…/<stack>/*.json`). */
export function findStackLocks(folder: string, names: StackNames): StackLock[] {
  const locks: StackLock[] = [];
  for (const dir of stackFolders(folder, "locks", names)) {
    for (const file of filesIn(dir)) {
      if (!file.endsWith(".json")) continue;
      let content: Record<string, unknown> = {};
      try {
        content = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      } catch {
        // An unreadable lock still locks the stack.
      }
      const timestampMs =
        typeof content.timestamp === "string" ? Date.parse(content.timestamp) : NaN;
      locks.push({
        file,
        pid: typeof content.pid === "number" ? content.pid : null,
        hostname: typeof content.hostname === "string" ? content.hostname : null,
        username: typeof content.username === "string" ? content.username : null,
        timestampMs: Number.isFinite(timestampMs) ? timestampMs : null,
      });
    }
  }
  return locks;
}

/** Whether the process holding a lock still runs (known only on the same host). */
export function lockHolderAlive(lock: StackLock): boolean {
  if (lock.pid === null || lock.hostname !== os.hostname()) return false;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isBrokenSidecar(file: string): boolean {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return parsed === null || typeof parsed !== "object" || Array.isArray(parsed);
  } catch {
    return true;
  }
}

/**
 * The stack's metadata sidecars (`*.attrs`) that are empty or cut short: those of its state
 * file (`.pulumi/stacks/…/<stack>.json*.attrs`) and of its history, backups and locks.
 */
export function findBrokenSidecars(folder: string, names: StackNames): string[] {
  const shortStack = names.stack.split("/").pop() ?? names.stack;
  const stateSidecars = [
    path.join(folder, ".pulumi", "stacks", names.project),
    path.join(folder, ".pulumi", "stacks"),
  ]
    .flatMap(filesIn)
    .filter((file) => path.basename(file).startsWith(`${shortStack}.json`));
  const otherSidecars = ["history", "backups", "locks"]
    .flatMap((kind) => stackFolders(folder, kind, names))
    .flatMap(filesIn);
  return [...stateSidecars, ...otherSidecars]
    .filter((file) => file.endsWith(".attrs") && isBrokenSidecar(file))
    .sort();
}
