import { MAX_TIMER_DELAY_MS, setLongTimeout, sleep } from "../../../../sdk/core/timers";

const DAY_MS = 24 * 60 * 60 * 1000;

// Node fires any setTimeout above 2³¹−1 ms after 1 ms (so do jest's fake timers): these
// delays must still be honoured to the millisecond.
const longDelays: Array<[string, number]> = [
  ["2³¹−1 ms (the longest single timer)", 2 ** 31 - 1],
  ["2³¹ ms (one more)", 2 ** 31],
  ["30 days", 30 * DAY_MS],
  ["100 days (several chained timers)", 100 * DAY_MS],
];

describe("setLongTimeout", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("the longest single timer is 2³¹−1 ms", () => {
    expect(MAX_TIMER_DELAY_MS).toBe(2_147_483_647);
  });

  test.each(longDelays)("a delay of %s fires then, not before", async (_what, delayMs) => {
    const fired = jest.fn();
    setLongTimeout(fired, delayMs);
    await jest.advanceTimersByTimeAsync(5);
    expect(fired).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(delayMs - 6);
    expect(fired).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test("cancelling stops a chain between two of its timers", async () => {
    const fired = jest.fn();
    const cancel = setLongTimeout(fired, 60 * DAY_MS);
    await jest.advanceTimersByTimeAsync(30 * DAY_MS);
    cancel();
    await jest.advanceTimersByTimeAsync(60 * DAY_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  test.each([
    ["0", 0],
    ["a negative delay", -5],
    ["NaN", Number.NaN],
  ])("%s fires at once", async (_what, delayMs) => {
    const fired = jest.fn();
    setLongTimeout(fired, delayMs);
    await jest.advanceTimersByTimeAsync(0);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test("Infinity never fires", async () => {
    const fired = jest.fn();
    const cancel = setLongTimeout(fired, Number.POSITIVE_INFINITY);
    await jest.advanceTimersByTimeAsync(1_000 * DAY_MS);
    expect(fired).not.toHaveBeenCalled();
    cancel();
  });
});

describe("sleep", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test.each(longDelays)("a sleep of %s lasts that long", async (_what, delayMs) => {
    let done = false;
    const sleeping = sleep(delayMs).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(delayMs - 1);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  test("an abort ends a long sleep at once with the given error", async () => {
    const controller = new AbortController();
    const sleeping = sleep(30 * DAY_MS, controller.signal, () => new Error("stopped")).catch(
      (e: unknown) => e,
    );
    await jest.advanceTimersByTimeAsync(DAY_MS);
    controller.abort();
    await expect(sleeping).resolves.toEqual(new Error("stopped"));
    expect(jest.getTimerCount()).toBe(0);
  });

  test("an already aborted signal rejects with its reason, before any timer", async () => {
    const reason = new Error("already");
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });
});
