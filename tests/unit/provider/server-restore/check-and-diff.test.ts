/**
 * ServerRestore's check and diff, as the engine calls them (through the provider runtime): pure
 * functions of the inputs, no API involved.
 */
import { serverRestore } from "../../../../provider/runtime";

describe("ServerRestore check and diff", () => {
  it.each([
    ["backupId", undefined, /backupId must be a number, got undefined/],
    ["waitForCompletion", "yes", /waitForCompletion must be true or false, got "yes"/],
    ["timeout", "forever", /timeout is not a duration: "forever"/],
  ])("reports %s = %j", async (property, value, reason) => {
    const result = await serverRestore.check({}, { serverId: 1, backupId: 2, [property]: value });
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  it.each([
    ["serverId", 2, true, ["serverId"]],
    ["backupId", 9, true, []],
    ["triggers", ["b"], true, []],
    ["timeout", "1h", true, []],
  ])("a change of %s: changes %s, replaces %j", async (name, value, changes, replaces) => {
    const olds = { serverId: 1, backupId: 8, triggers: ["a"], status: "active" };
    const diff = await serverRestore.diff("r", olds, {
      serverId: 1,
      backupId: 8,
      triggers: ["a"],
      [name]: value,
    });
    expect(diff).toEqual({ changes, replaces, deleteBeforeReplace: false });
  });
});
