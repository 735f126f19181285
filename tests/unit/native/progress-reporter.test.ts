/**
 * The core's progress reporter (provider/core/operation.ts), which the backup and restore waits
 * call on every poll: it passes on the first status, each change, and otherwise one message a
 * minute, so a long wait shows on the resource's line without flooding it. A hand-driven clock
 * stands in for time.
 */
import { PROGRESS_INTERVAL_MS, progressReporter } from "../../../provider/core/operation";

function reporterWithClock(label = "backup 812 of server 12345") {
  let nowMs = 1_000_000;
  const messages: string[] = [];
  const report = progressReporter(
    { progress: (message) => messages.push(message) },
    label,
    () => nowMs,
  );
  return { report, messages, advance: (ms: number) => (nowMs += ms) };
}

describe("progressReporter", () => {
  it("reports the first status at once, in words, with the minutes waited", () => {
    const { report, messages } = reporterWithClock();
    report("in_progress");
    expect(messages).toEqual(["backup 812 of server 12345: in progress, 0 min"]);
  });

  it("stays quiet while the status holds, then reports about once a minute", () => {
    const { report, messages, advance } = reporterWithClock();
    report("in_progress");
    for (let poll = 0; poll < 11; poll++) {
      advance(5_000);
      report("in_progress");
    }
    expect(messages).toHaveLength(1);
    advance(PROGRESS_INTERVAL_MS - 55_000);
    report("in_progress");
    expect(messages).toEqual([
      "backup 812 of server 12345: in progress, 0 min",
      "backup 812 of server 12345: in progress, 1 min",
    ]);
    advance(3 * 60_000);
    report("in_progress");
    expect(messages.at(-1)).toBe("backup 812 of server 12345: in progress, 4 min");
  });

  it("reports every status change at once", () => {
    const { report, messages, advance } = reporterWithClock("restore of server 7 from backup 9");
    report("restoring");
    advance(1_000);
    report("active");
    expect(messages).toEqual([
      "restore of server 7 from backup 9: restoring, 0 min",
      "restore of server 7 from backup 9: active, 0 min",
    ]);
  });

  it("does nothing when the surface takes no progress", () => {
    expect(() => progressReporter({}, "backup 1 of server 2")("in_progress")).not.toThrow();
  });
});
