/**
 * Reliability 7 — a body trickled byte by byte, and a connection that never answers.
 *
 * Inject: the emulator sends every answer one byte every 20 ms (a list takes seconds), or never
 * answers at all. Must hold: the call's deadline fires within deadline + 10 % (never before
 * it), with a `VpsTimeoutError`. This is the one place the suite measures wall time: it is the
 * correctness bound of the deadline. The upper bound is the larger of +10 % and +300 ms, plus
 * however long this process could not run its timers during the call (its event loop's
 * longest delay, measured): on a loaded machine a timer fires late through no fault of the
 * client, and that must not fail the test. Without a deadline each call would take seconds
 * more (a trickled answer is hundreds of bytes at 50 a second; a silent one waits for 10 s
 * attempts, or eleven of 400 ms), so the bound still tells a deadline from none. The measured
 * overshoot and delay are recorded as the figure.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { RunningEmulator } from "../../../emulator";
import { type VpsClient, VpsTimeoutError } from "../../../sdk";
import { recordFigure, resetFigures } from "../../support/reliability-figures";
import { randomSuffix, startFastEmulator } from "../../support/emulator";
import { fastClient } from "../../support/client";

const DEADLINE_MS = 1_500;
const NOISE_MARGIN_MS = 300;
const UPPER_BOUND_MS = Math.max(DEADLINE_MS * 1.1, DEADLINE_MS + NOISE_MARGIN_MS);

/** Runs `call` and resolves with what it threw, its wall time and the event loop's longest delay. */
async function timed(
  call: () => Promise<unknown>,
): Promise<{ error: unknown; elapsedMs: number; loopDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const startedAt = performance.now();
  try {
    const error = await call().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    const elapsedMs = Math.round(performance.now() - startedAt);
    return { error, elapsedMs, loopDelayMs: Math.round(delay.max / 1e6) };
  } finally {
    delay.disable();
  }
}

const FAULTS = {
  "trickled body (1 byte / 20 ms)": { trickleRate: 1, trickleBytes: 1, trickleIntervalMs: 20 },
  "never answers": { hangRate: 1 },
} as const;

const CALLS: { name: string; call: (client: VpsClient, serverId: number) => Promise<unknown> }[] = [
  { name: "listBackups", call: (client, serverId) => client.listBackups({ serverId }) },
  {
    name: "createBackup",
    call: (client, serverId) => client.createBackup({ serverId, description: "slow" }),
  },
  { name: "getServer", call: (client, serverId) => client.getServer(serverId) },
];

describe("reliability 7: trickled bodies and silent connections", () => {
  let emulator: RunningEmulator;
  let serverId: number;
  let token: string;

  beforeAll(async () => {
    resetFigures("07-slow-responses");
    emulator = await startFastEmulator({ randomSeed: 707 });
    // A long server name and a few backups: every answer is hundreds of bytes, so trickled at
    // 50 bytes a second it takes longer than the deadline.
    const suffix = randomSuffix();
    const { account, servers } = emulator.state.createAccount({
      id: `slow-${suffix}`,
      token: `slow-token-${suffix}`,
      servers: [{ name: `slow-server-${suffix}-${"x".repeat(200)}`, diskGb: 20 }],
    });
    serverId = servers[0]?.id ?? 0;
    token = account.token;
    for (let index = 0; index < 3; index += 1)
      emulator.state.createManualBackup(servers[0]!, `existing ${index}`);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  describe.each(Object.entries(FAULTS))("%s", (faultName, faults) => {
    it.each([
      { attemptTimeoutMs: 10_000, label: "one attempt longer than the deadline" },
      { attemptTimeoutMs: 400, label: "400 ms attempts, retried" },
    ])("$label: the deadline fires within deadline + 10 %", async ({ attemptTimeoutMs, label }) => {
      emulator.faults.replace(faults);
      try {
        for (const { name, call } of CALLS) {
          const client = fastClient(emulator.url, token, {
            deadlineMs: DEADLINE_MS,
            timeoutMs: attemptTimeoutMs,
            maxRetries: 10,
          });
          const { error, elapsedMs, loopDelayMs } = await timed(() => call(client, serverId));
          recordFigure("07-slow-responses", `${faultName}, ${label}, ${name}`, {
            deadlineMs: DEADLINE_MS,
            elapsedMs,
            overshootMs: elapsedMs - DEADLINE_MS,
            eventLoopDelayMaxMs: loopDelayMs,
            attempts: client.stats.requests,
          });
          expect(error).toBeInstanceOf(VpsTimeoutError);
          expect((error as Error).message).toMatch(/deadline of 1\.5 s passed|no answer within/);
          expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
          expect(elapsedMs).toBeLessThanOrEqual(UPPER_BOUND_MS + loopDelayMs);
        }
      } finally {
        emulator.faults.replace({});
      }
    });
  });
});
