import { describe, expect, test } from "bun:test";
import { buildGraph, findPhaseViolations } from "../../src/graph/index.ts";
import { makeService } from "./make-service.ts";

describe("findPhaseViolations", () => {
  test("reports a service that depends on one in a later phase", () => {
    const graph = buildGraph([
      makeService("auth", { phase: 0, dependsOn: ["ai"] }),
      makeService("ai", { phase: 2 }),
    ]);
    expect(findPhaseViolations(graph)).toEqual([
      { service: "auth", dependency: "ai", servicePhase: 0, dependencyPhase: 2 },
    ]);
  });

  test("accepts dependencies in the same or an earlier phase", () => {
    const graph = buildGraph([
      makeService("db", { phase: 0 }),
      makeService("cache", { phase: 1 }),
      makeService("api", { phase: 1, dependsOn: ["db", "cache"] }),
    ]);
    expect(findPhaseViolations(graph)).toEqual([]);
  });

  test("lists violations in edge order", () => {
    const graph = buildGraph([
      makeService("web", { phase: 1, dependsOn: ["z", "y"] }),
      makeService("auth", { phase: 0, dependsOn: ["z"] }),
      makeService("y", { phase: 3 }),
      makeService("z", { phase: 2 }),
    ]);
    expect(findPhaseViolations(graph).map((v) => `${v.service}->${v.dependency}`)).toEqual([
      "auth->z",
      "web->z",
      "web->y",
    ]);
  });
});
