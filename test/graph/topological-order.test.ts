import { describe, expect, test } from "bun:test";
import { buildGraph, GraphCycleError, orderLeniently, topologicalOrder } from "../../src/graph/index.ts";
import { makeService, makeServices } from "./make-service.ts";

describe("topologicalOrder", () => {
  test("puts a diamond's bottom first and its top last", () => {
    const graph = buildGraph(makeServices({ top: ["left", "right"], left: ["bottom"], right: ["bottom"], bottom: [] }));
    expect(topologicalOrder(graph)).toEqual(["bottom", "left", "right", "top"]);
  });

  test("breaks ties by phase, then name", () => {
    const graph = buildGraph([
      makeService("zeta", { phase: 0 }),
      makeService("alpha", { phase: 2 }),
      makeService("beta", { phase: 1 }),
      makeService("gamma", { phase: 1 }),
    ]);
    expect(topologicalOrder(graph)).toEqual(["zeta", "beta", "gamma", "alpha"]);
  });

  test("lets a dependency in a later phase jump ahead of its dependent", () => {
    const graph = buildGraph([
      makeService("auth", { phase: 0, dependsOn: ["cache"] }),
      makeService("cache", { phase: 2 }),
    ]);
    expect(topologicalOrder(graph)).toEqual(["cache", "auth"]);
  });

  test("throws a GraphCycleError naming every cycle", () => {
    const graph = buildGraph(makeServices({ a: ["b"], b: ["c"], c: ["a"], d: ["d"], e: [] }));
    let caught: unknown;
    try {
      topologicalOrder(graph);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GraphCycleError);
    const error = caught as GraphCycleError;
    expect(error.code).toBe("GRAPH_CYCLE");
    expect(error.status).toBe(422);
    expect(error.cycles).toEqual([["a", "b", "c", "a"], ["d", "d"]]);
    expect(error.message).toBe("expected an acyclic dependency graph, found 2 cycle(s): a -> b -> c -> a; d -> d");
  });
});

describe("orderLeniently", () => {
  test("places what it can, then the services on or behind a cycle", () => {
    const graph = buildGraph(makeServices({ a: ["b"], b: ["a"], base: [], top: ["a", "base"] }));
    expect(orderLeniently(graph)).toEqual(["base", "a", "b", "top"]);
  });
});
