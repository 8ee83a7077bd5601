import { describe, expect, test } from "bun:test";
import { buildLaunchPlan, GraphCycleError } from "../../src/graph/index.ts";
import { makeConfig, makeService } from "./make-service.ts";

describe("buildLaunchPlan", () => {
  test("launches phase 0 one service at a time, in dependency order", () => {
    const plan = buildLaunchPlan(
      makeConfig([
        makeService("auth", { phase: 0, dependsOn: ["db"] }),
        makeService("db", { phase: 0 }),
        makeService("audit", { phase: 0 }),
      ]),
    );
    expect(plan.phases).toEqual([
      { index: 0, name: "critical", mode: "serial", concurrency: 1, steps: [["audit"], ["db"], ["auth"]] },
    ]);
  });

  test("launches later phases in waves of services whose in-phase dependencies are done", () => {
    const plan = buildLaunchPlan(
      makeConfig(
        [
          makeService("db", { phase: 0 }),
          makeService("api", { dependsOn: ["db", "cache"] }),
          makeService("cache", { dependsOn: ["db"] }),
          makeService("worker", { dependsOn: ["db"] }),
          makeService("gateway", { dependsOn: ["api", "cache"] }),
        ],
        4,
      ),
    );
    expect(plan.phases[1]).toEqual({
      index: 1,
      name: "core",
      mode: "parallel",
      concurrency: 4,
      steps: [["cache", "worker"], ["api"], ["gateway"]],
    });
  });

  test("leaves out disabled services and empty phases, ignoring dependencies on the disabled", () => {
    const plan = buildLaunchPlan(
      makeConfig([
        makeService("db", { phase: 0 }),
        makeService("legacy", { disabled: true }),
        makeService("web", { phase: 4, dependsOn: ["legacy"] }),
        makeService("old-ui", { phase: 5, disabled: true }),
      ]),
    );
    expect(plan.phases.map((phase) => [phase.index, phase.name, phase.steps])).toEqual([
      [0, "critical", [["db"]]],
      [4, "user-facing", [["web"]]],
    ]);
    expect(plan.graph.nodes.map((node) => node.name)).toEqual(["db", "web"]);
    expect(plan.graph.edges).toEqual([]);
  });

  test("puts every enabled service in exactly one step", () => {
    const services = ["a", "b", "c", "d", "e"].map((name, i) => makeService(name, { phase: i % 3 }));
    const steps = buildLaunchPlan(makeConfig(services)).phases.flatMap((phase) => phase.steps.flat());
    expect(steps.sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  test("throws a GraphCycleError when enabled services form a cycle", () => {
    const config = makeConfig([makeService("a", { dependsOn: ["b"] }), makeService("b", { dependsOn: ["a"] })]);
    expect(() => buildLaunchPlan(config)).toThrow(GraphCycleError);
  });

  test("ignores a cycle that runs through a disabled service", () => {
    const config = makeConfig([
      makeService("a", { dependsOn: ["b"] }),
      makeService("b", { dependsOn: ["a"], disabled: true }),
    ]);
    expect(buildLaunchPlan(config).phases[0].steps).toEqual([["a"]]);
  });
});
