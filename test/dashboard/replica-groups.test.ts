import { describe, expect, test } from "bun:test";
import { groupReplicas, replicaGroupOf } from "../../src/dashboard/lib/replica-groups";

const s = (name: string, state = "healthy") => ({ name, state });

describe("the grid's replica sets (SPEC §15)", () => {
  test("instances NAME@i are one set under NAME, in index order, where the first one stood; others stand alone", () => {
    const runs = groupReplicas([s("db"), s("web@2"), s("api"), s("web@10"), s("web@1", "starting")]);
    expect(runs.map((r) => [r.group, r.services.map((x) => x.name)])).toEqual([
      [null, ["db"]],
      ["web", ["web@1", "web@2", "web@10"]],
      [null, ["api"]],
    ]);
  });

  test("only a positive index after the last @ makes an instance", () => {
    expect(["web@1", "a@b@3", "mail@", "x@0", "y@01", "plain"].map(replicaGroupOf)).toEqual(["web", "a@b", null, null, null, null]);
  });
});
