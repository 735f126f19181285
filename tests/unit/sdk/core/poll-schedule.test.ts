import { FAST_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS, defaultPollSchedule } from "../../../../sdk";

describe("the default poll schedule", () => {
  afterEach(() => jest.useRealTimers());

  // Times of the polls of one wait: 0, then after each delay of the schedule.
  const pollTimes = (untilMs: number): number[] => {
    const times = [0];
    while (times[times.length - 1]! < untilMs)
      times.push(times[times.length - 1]! + defaultPollSchedule(times[times.length - 1]!));
    return times;
  };
  // Requests a wait makes for a backup finishing at `durationMs`, and when it notices.
  const detection = (durationMs: number) => {
    const times = pollTimes(durationMs);
    return { requests: times.length, noticedAfterMs: times[times.length - 1]! - durationMs };
  };

  test("polls every 0.5 s for the first 3 s", () => {
    expect(pollTimes(3_000)).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500, 3_000]);
  });

  test("notices a backup of under 3 s within 0.5 s", () => {
    for (let duration = 1; duration <= 3_000; duration += 7)
      expect(detection(duration).noticedAfterMs).toBeLessThanOrEqual(FAST_POLL_INTERVAL_MS);
  });

  test("after 3 s, notices within a third of the duration, and never later than 20 s", () => {
    for (let duration = 3_001; duration <= 3_600_000; duration += 997) {
      const { noticedAfterMs } = detection(duration);
      expect(noticedAfterMs).toBeLessThanOrEqual(Math.min(duration / 3, MAX_POLL_INTERVAL_MS) + 1);
    }
  });

  test("from 90 s on, makes no more requests than a fixed 5 s poll (19 each at 90 s, the first immediate one included)", () => {
    const fixedFiveSeconds = (durationMs: number) => Math.ceil(durationMs / 5_000) + 1;
    expect(detection(90_000).requests).toBe(19);
    expect(fixedFiveSeconds(90_000)).toBe(19);
    for (let duration = 90_000; duration <= 3_600_000; duration += 1_000) {
      expect(detection(duration).requests).toBeLessThanOrEqual(fixedFiveSeconds(duration));
    }
  });
});
