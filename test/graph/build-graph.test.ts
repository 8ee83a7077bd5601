import { describe, expect, test } from "bun:test";
import { buildGraph, removeDisabled } from "../../src/graph/index.ts";
import { makeService, PHASES } from "./make-service.ts";

describe("buildGraph", () => {
  test("orders nodes by phase, then name", () => {
    const graph = buildGraph([
      makeService("web", { phase: 4 }),
      makeService("db", { phase: 0 }),
      makeService("api"),
      makeService("auth", { phase: 0 }),
    ]);
    expect(graph.nodes.map((node) => node.name)).toEqual(["auth", "db", "api", "web"]);
  });

  test("points edges from the dependent to the dependency, with the condition", () => {
    const graph = buildGraph([
      makeService("db", { phase: 0 }),
      makeService("migrate", { dependsOn: ["db"] }),
      makeService("api", { dependsOn: [{ name: "migrate", condition: "completed" }, "db"] }),
    ]);
    expect(graph.edges).toEqual([
      { from: "api", to: "db", condition: "healthy" },
      { from: "api", to: "migrate", condition: "completed" },
      { from: "migrate", to: "db", condition: "healthy" },
    ]);
  });

  test("drops dependencies on services that do not exist", () => {
    const graph = buildGraph([makeService("api", { dependsOn: ["ghost", "db"] }), makeService("db")]);
    expect(graph.edges).toEqual([{ from: "api", to: "db", condition: "healthy" }]);
  });

  test("keeps the first condition when a dependency is listed twice", () => {
    const graph = buildGraph([
      makeService("db"),
      makeService("api", { dependsOn: [{ name: "db", condition: "started" }, "db"] }),
    ]);
    expect(graph.edges).toEqual([{ from: "api", to: "db", condition: "started" }]);
  });

  test("keeps disabled services as flagged nodes, with their edges", () => {
    const graph = buildGraph([makeService("db", { disabled: true }), makeService("api", { dependsOn: ["db"] })]);
    expect(graph.nodes.find((node) => node.name === "db")?.disabled).toBe(true);
    expect(graph.edges).toHaveLength(1);
  });

  test("copies phase, flags and port, leaving port out when unset", () => {
    const graph = buildGraph([makeService("db", { phase: 0, port: 5432 }), makeService("job", { optional: true })]);
    expect(graph.nodes).toEqual([
      { name: "db", phase: 0, phaseName: "critical", critical: true, optional: false, disabled: false, port: 5432 },
      { name: "job", phase: 1, phaseName: "core", critical: false, optional: true, disabled: false },
    ]);
  });

  test("names phases from the config, falling back to the services' phase names", () => {
    expect(buildGraph([makeService("a", { phase: 2 })], PHASES).phaseNames).toEqual(PHASES);
    const derived = buildGraph([makeService("a", { phase: 2 }), makeService("b", { phase: 0 })]);
    expect(derived.phaseNames).toEqual(["critical", "phase-1", "intelligence"]);
  });
});

describe("removeDisabled", () => {
  test("drops disabled nodes and every edge touching them", () => {
    const graph = buildGraph([
      makeService("db"),
      makeService("cache", { disabled: true, dependsOn: ["db"] }),
      makeService("api", { dependsOn: ["cache", "db"] }),
    ]);
    const enabled = removeDisabled(graph);
    expect(enabled.nodes.map((node) => node.name)).toEqual(["api", "db"]);
    expect(enabled.edges).toEqual([{ from: "api", to: "db", condition: "healthy" }]);
  });
});
