import { computeBackoffMs, isRetryableStatus, parseRetryAfterMs } from "../../../../sdk";

describe("retry timing helpers", () => {
  test.each([
    [0, 500],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 8_000],
    [10, 8_000],
  ])(
    "backoff before retry %i without jitter is %i ms, and at most 25 %% less with it",
    (retryIndex, full) => {
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 0)).toBe(full);
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 1)).toBe(full * 0.75);
      expect(computeBackoffMs(retryIndex, 500, 8_000, () => 0.5)).toBe(Math.round(full * 0.875));
    },
  );

  const now = Date.parse("2025-01-16T15:45:00Z");
  test.each([
    ["0", 0],
    ["7", 7_000],
    ["1.5", 1_500],
    ["Thu, 16 Jan 2025 15:45:30 GMT", 30_000],
    ["Thu, 16 Jan 2025 15:00:00 GMT", 0],
    ["soon", null],
    ["", null],
    ["-3", null],
  ])("Retry-After %j is %p ms", (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });

  test.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])("status %i retryable: %p", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
