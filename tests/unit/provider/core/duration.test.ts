import { MAX_DURATION_MS, parseDuration } from "../../../../provider/core/duration";

describe("parseDuration", () => {
  it.each([
    ["45m", 45 * 60_000],
    ["90s", 90_000],
    ["1h30m", 90 * 60_000],
    ["1h", 3_600_000],
    ["1500ms", 1_500],
    ["2m30s", 150_000],
    [" 60m ", 3_600_000],
    ["24h", MAX_DURATION_MS],
  ])("reads %j as %d ms", (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ["", /must not be empty/],
    ["45", /unexpected "45"/],
    ["m", /unexpected "m"/],
    ["1.5h", /unexpected/],
    ["-5m", /unexpected "-5m"/],
    ["30m1h", /largest first/],
    ["1m1m", /largest first/],
    ["0s", /longer than zero/],
    ["25h", /at most 24h/],
    ["10 minutes", /unexpected/],
  ])("refuses %j and says why with an example", (text, reason) => {
    expect(() => parseDuration(text)).toThrow(reason);
    expect(() => parseDuration(text)).toThrow(/"45m"|shorter timeout/);
  });

  it("refuses a value that is not a string", () => {
    expect(() => parseDuration(45 as unknown as string)).toThrow(
      'must be a duration string, got 45; write it like "45m"',
    );
  });
});
