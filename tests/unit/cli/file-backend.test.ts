/**
 * What recover reads in a file backend's folder: the stack's locks and its metadata sidecars
 * (`*.attrs`) that a kill during a save left empty or cut short. The real engine's side of
 * this (pulumi failing on an empty sidecar, and reading the stack again once it is gone) is
 * tests/e2e/reliability/unreadable-checkpoint.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findBrokenSidecars, findStackLocks } from "../../../cli/recover/file-backend";

const GOOD_ATTRS = JSON.stringify({ "user.content_type": "text/plain; charset=utf-8", md5: "x" });
const names = { project: "proj", stack: "dev" };

let folder: string;

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), "vps-file-backend-"));
});

afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function write(relative: string, content: string): string {
  const file = path.join(folder, ".pulumi", relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe("findBrokenSidecars", () => {
  it("finds the stack's empty and cut-short sidecars, in every folder the stack saves to", () => {
    write("stacks/proj/dev.json", "{}");
    const state = write("stacks/proj/dev.json.attrs", "");
    write("stacks/proj/dev.json.bak", "{}");
    const backup = write("stacks/proj/dev.json.bak.attrs", GOOD_ATTRS.slice(0, 20));
    const history = write("history/proj/dev/dev-1.history.json.attrs", "");
    write("history/proj/dev/dev-1.checkpoint.json.attrs", GOOD_ATTRS);
    const saved = write("backups/proj/dev/dev.1.json.attrs", "null");
    const lock = write("locks/organization/proj/dev/a.json.attrs", "[]");
    const legacy = write("stacks/dev.json.attrs", "");

    expect(findBrokenSidecars(folder, names)).toEqual(
      [state, backup, history, saved, lock, legacy].sort(),
    );
  });

  it("leaves whole sidecars, the files themselves and other stacks alone", () => {
    write("stacks/proj/dev.json", "");
    write("stacks/proj/dev.json.attrs", GOOD_ATTRS);
    write("stacks/proj/dev.json.1a2b.tmp", "");
    write("stacks/proj/prod.json.attrs", "");
    write("stacks/proj/dev-old.json.attrs", "");
    write("history/proj/prod/prod-1.history.json.attrs", "");
    write("meta.yaml.attrs", "");

    expect(findBrokenSidecars(folder, names)).toEqual([]);
  });

  it("finds nothing in a folder that holds no backend", () => {
    expect(findBrokenSidecars(folder, names)).toEqual([]);
  });
});

describe("findStackLocks", () => {
  it("reads who holds the lock and since when, and counts an unreadable lock too", () => {
    write(
      "locks/organization/proj/dev/a.json",
      JSON.stringify({
        pid: 42,
        hostname: "runner",
        username: "ci",
        timestamp: "2026-05-01T12:00:00Z",
      }),
    );
    write("locks/organization/proj/dev/a.json.attrs", GOOD_ATTRS);
    write("locks/organization/proj/dev/b.json", "");
    write("locks/organization/proj/prod/c.json", "{}");

    const locks = findStackLocks(folder, names);
    expect(locks.map((lock) => [path.basename(lock.file), lock.pid, lock.timestampMs])).toEqual([
      ["a.json", 42, Date.parse("2026-05-01T12:00:00Z")],
      ["b.json", null, null],
    ]);
  });
});
