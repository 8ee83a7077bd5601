import { describe, expect, test } from "bun:test";
import { buildGraph, findCycles, formatCycle } from "../../src/graph/index.ts";
import { makeService, makeServices } from "./make-service.ts";

const cyclesOf = (dependencies: Record<string, string[]>) => findCycles(buildGraph(makeServices(dependencies)));

describe("findCycles", () => {
  test("reports a 3-cycle once, starting at its smallest name", () => {
    expect(cyclesOf({ c: ["a"], a: ["b"], b: ["c"] })).toEqual([["a", "b", "c", "a"]]);
  });

  test("reports a self-loop", () => {
    expect(cyclesOf({ a: ["a"], b: ["a"] })).toEqual([["a", "a"]]);
  });

  test("reports two disjoint cycles, one entry each", () => {
    expect(cyclesOf({ a: ["b"], b: ["a"], x: ["y"], y: ["z"], z: ["x"], q: ["a", "x"] })).toEqual([
      ["a", "b", "a"],
      ["x", "y", "z", "x"],
    ]);
  });

  test("finds nothing in a diamond", () => {
    expect(cyclesOf({ top: ["left", "right"], left: ["bottom"], right: ["bottom"], bottom: [] })).toEqual([]);
  });

  test("leaves out services that only lead into a cycle", () => {
    expect(cyclesOf({ entry: ["b"], b: ["c"], c: ["b"], c2: ["entry"] })).toEqual([["b", "c", "b"]]);
  });

  test("reports one shortest cycle for a component with several", () => {
    // a -> b -> a and a -> c -> d -> a share a: one component, one entry.
    expect(cyclesOf({ a: ["c", "b"], b: ["a"], c: ["d"], d: ["a"] })).toEqual([["a", "b", "a"]]);
  });

  test("orders cycles by the phase of their first service", () => {
    const graph = buildGraph([
      makeService("a", { phase: 3, dependsOn: ["b"] }),
      makeService("b", { phase: 3, dependsOn: ["a"] }),
      makeService("y", { phase: 0, dependsOn: ["z"] }),
      makeService("z", { phase: 0, dependsOn: ["y"] }),
    ]);
    expect(findCycles(graph).map((cycle) => cycle[0])).toEqual(["y", "a"]);
  });

  test("survives a dependency chain far deeper than the call stack", () => {
    const chain: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) chain[`s${i}`] = i === 0 ? ["s19999"] : [`s${i - 1}`];
    const [cycle] = cyclesOf(chain);
    expect(cycle).toHaveLength(20_001);
    expect(cycle[0]).toBe("s0");
  });
});

describe("formatCycle", () => {
  test("joins the path with arrows", () => {
    expect(formatCycle(["a", "b", "c", "a"])).toBe("a -> b -> c -> a");
  });
});
