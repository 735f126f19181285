/**
 * Reliability 15 — the emulator under load.
 *
 * Inject: 500 concurrent raw requests (creates, lists, deletes, server reads, restores) with
 * faults on (503 on 10 %, connection dropped after commit on 10 % of creates, latency jitter),
 * then the emulator CLI with a data file, SIGKILLed in the middle of a burst of creates.
 * Must hold: no 500 (the faults only ask for 503), every 201 and every dropped create left
 * exactly one backup and every faulted create none, ids unique; after the kill the data file
 * parses and holds every backup a 201 reported. Figures: answers by status, backups, lost,
 * duplicated. The CLI runs from the TypeScript sources (tests/support/register-ts.cjs).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { openDataFile } from "../../../emulator/persistence";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { freshAccount, inventoryBackups, startFastEmulator } from "../../support/emulator";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const CLI = path.join(REPO_ROOT, "emulator/cli.ts");
const REGISTER_TS = path.join(REPO_ROOT, "tests/support/register-ts.cjs");
/** Creates the CLI must acknowledge before it is killed: the kill lands mid-burst. */
const ACKNOWLEDGED_BEFORE_KILL = 20;
const CONCURRENT_REQUESTS = 500;

type Outcome = number | "connection lost";

async function send(url: string, token: string, method: string, body?: unknown): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return "connection lost";
  }
}

describe("reliability 15: the emulator under load", () => {
  beforeAll(() => resetFigures("15-emulator-load"));

  describe("500 concurrent mixed requests with faults on", () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startFastEmulator({ randomSeed: 1515 });
    });
    afterAll(async () => {
      await emulator.stop();
    });

    it("answers only what the faults asked for, and loses or duplicates no backup", async () => {
      const account = freshAccount(emulator, { servers: 5 });
      const client = { url: emulator.url, token: account.token };
      // Some completed backups to delete and restore from.
      const seeded = account.serverIds.map((serverId) =>
        emulator.state.createManualBackup(emulator.state.serverById(serverId)!, "seeded"),
      );
      for (const backup of seeded) emulator.state.finishBackup(backup.id, "completed");
      emulator.faults.replace({
        errorRate: 0.1,
        errorStatuses: [503],
        dropAfterCommitRate: 0.1,
        latencyMs: 1,
        latencyJitterMs: 20,
      });
      emulator.requests.clear();

      const creates: { description: string; outcome: Outcome }[] = [];
      const outcomes: Outcome[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENT_REQUESTS }, async (_, index) => {
          const serverId = account.serverIds[index % account.serverIds.length] ?? 0;
          let outcome: Outcome;
          switch (index % 5) {
            case 0:
            case 1: {
              const description = `load-${index}-${randomBytes(3).toString("hex")}`;
              outcome = await send(`${client.url}/backups/`, client.token, "POST", {
                server_id: serverId,
                description,
              });
              creates.push({ description, outcome });
              break;
            }
            case 2:
              outcome = await send(
                `${client.url}/backups/?server_id=${serverId}&page_size=5`,
                client.token,
                "GET",
              );
              break;
            case 3:
              outcome = await send(`${client.url}/servers/${serverId}/`, client.token, "GET");
              break;
            default:
              outcome =
                index % 10 === 4
                  ? await send(`${client.url}/servers/${serverId}/restore/`, client.token, "POST", {
                      backup_id: seeded[index % seeded.length]?.id,
                    })
                  : await send(`${client.url}/backups/${900_000 + index}/`, client.token, "DELETE");
          }
          outcomes.push(outcome);
        }),
      );
      emulator.faults.replace({});

      const byStatus: Record<string, number> = {};
      for (const outcome of outcomes)
        byStatus[String(outcome)] = (byStatus[String(outcome)] ?? 0) + 1;
      const inventory = inventoryBackups(emulator, account.accountId);
      const countOf = (description: string) =>
        inventory.filter((backup) => backup.description === description).length;
      const lost = creates.filter(
        (create) =>
          (create.outcome === 201 || create.outcome === "connection lost") &&
          countOf(create.description) !== 1,
      );
      const phantom = creates.filter(
        (create) =>
          create.outcome !== 201 &&
          create.outcome !== "connection lost" &&
          countOf(create.description) !== 0,
      );
      const ids = inventory.map((backup) => backup.id);
      recordFigure("15-emulator-load", "500 concurrent requests", {
        requests: outcomes.length,
        byStatus,
        creates: creates.length,
        backupsMade: inventory.length - seeded.length,
        lostOrDuplicated: lost.length,
        madeDespiteFault: phantom.length,
        duplicateIds: ids.length - new Set(ids).size,
      });

      expect(outcomes).toHaveLength(CONCURRENT_REQUESTS);
      expect(byStatus["500"] ?? 0).toBe(0);
      // Everything is an expected answer: the contract's statuses and the injected 503/drops.
      expect(
        Object.keys(byStatus).every((status) =>
          ["200", "201", "202", "204", "400", "404", "409", "503", "connection lost"].includes(
            status,
          ),
        ),
      ).toBe(true);
      expect(byStatus["503"] ?? 0).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      expect(phantom).toEqual([]);
      expect(ids.length).toBe(new Set(ids).size);
    }, 120_000);
  });

  describe("the CLI with a data file, killed mid-burst", () => {
    /** Every CLI started, so that none outlives a failed test. */
    const children: ChildProcess[] = [];
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vps-load-"));
    const dataFile = path.join(workDir, "state.json");
    const adminToken = randomBytes(12).toString("hex");

    afterAll(() => {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      fs.rmSync(workDir, { recursive: true, force: true });
    });

    function startCli(): Promise<{ process: ChildProcess; url: string; origin: string }> {
      const started = spawn(
        process.execPath,
        [
          "-r",
          REGISTER_TS,
          CLI,
          "--data",
          dataFile,
          "--port",
          "0",
          "--time-scale",
          "0.001",
          "--auto-backup-interval-ms",
          "0",
          "--admin-token",
          adminToken,
        ],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      children.push(started);
      return new Promise((resolve, reject) => {
        let output = "";
        started.stdout?.on("data", (chunk: Buffer) => {
          output += String(chunk);
          const match = /listening on (http:\/\/\S+\/api\/v1)/.exec(output);
          if (match?.[1])
            resolve({ process: started, url: match[1], origin: new URL(match[1]).origin });
        });
        started.on("exit", (code) =>
          reject(new Error(`the emulator CLI exited (${code}) before listening: ${output}`)),
        );
      });
    }

    it("the data file is intact after SIGKILL and holds every backup a 201 reported", async () => {
      const first = await startCli();
      const acknowledged: number[] = [];
      let stopped = false;
      // Creates in a loop, 8 at a time, until the kill; every 201's id is remembered.
      const workers = Array.from({ length: 8 }, async () => {
        while (!stopped) {
          try {
            const response = await fetch(`${first.url}/backups/`, {
              method: "POST",
              headers: {
                Authorization: "Bearer YOUR_API_TOKEN",
                "Content-Type": "application/json",
              },
              body: JSON.stringify({ server_id: 12345, description: "before the kill" }),
            });
            const body = (await response.json()) as { id?: number };
            if (response.status === 201 && typeof body.id === "number") acknowledged.push(body.id);
          } catch {
            return;
          }
        }
      });
      try {
        // Kill once the burst is well under way (201s are coming in), however slow the machine.
        while (acknowledged.length < ACKNOWLEDGED_BEFORE_KILL) {
          if (first.process.exitCode !== null || first.process.signalCode !== null) {
            throw new Error("the emulator CLI exited before the kill");
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        first.process.kill("SIGKILL");
        stopped = true;
      }
      await Promise.all(workers);
      // Killed by a signal, a child has a signalCode and no exitCode.
      if (first.process.exitCode === null && first.process.signalCode === null) {
        await new Promise((resolve) => first.process.once("exit", resolve));
      }

      // The file opens on its own, then the CLI restarts from it.
      const opened = openDataFile(dataFile);
      opened.store.close();
      const persistedIds = (opened.initial?.backups ?? []).map((backup) => backup.id);
      const second = await startCli();
      const inventory = (await (
        await fetch(`${second.origin}/_emulator/inventory`, {
          headers: { "X-Emulator-Admin-Token": adminToken },
        })
      ).json()) as {
        accounts: { servers: { backups: { id: number }[] }[] }[];
      };
      const restoredIds = inventory.accounts.flatMap((account) =>
        account.servers.flatMap((server) => server.backups.map((backup) => backup.id)),
      );
      second.process.kill("SIGKILL");

      const lost = acknowledged.filter((id) => !restoredIds.includes(id));
      recordFigure("15-emulator-load", "CLI killed mid-burst", {
        acknowledgedCreates: acknowledged.length,
        backupsInFile: persistedIds.length,
        lostAcknowledged: lost.length,
        duplicateIds: persistedIds.length - new Set(persistedIds).size,
      });
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      expect(persistedIds.length).toBe(new Set(persistedIds).size);
      expect(restoredIds.sort()).toEqual([...persistedIds].sort());
    }, 120_000);
  });
});
