import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  buildGraph,
  buildLaunchPlan,
  dependenciesOf,
  dependentsOf,
  findCycles,
  GraphCycleError,
  topologicalOrder,
  type Graph,
} from "../../src/graph/index.ts";
import { makeConfig, makeService } from "./make-service.ts";

const RUNS = { seed: 42, numRuns: 300 };

interface Shape {
  names: string[];
  phases: number[];
  disabled: boolean[];
  edges: [number, number][];
}

// Names include the characters renderers must escape; index order is unrelated to name order.
const shapeArb = (acyclic: boolean): fc.Arbitrary<Shape> =>
  fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.@-]{0,3}$/), { minLength: 1, maxLength: 9 }).chain((names) => {
    const index = fc.nat(names.length - 1);
    const column = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: names.length, maxLength: names.length });
    // Acyclic: every edge points from a higher index to a lower one.
    const pair = fc
      .tuple(index, index)
      .map(([a, b]): [number, number] => (acyclic ? [Math.max(a, b), Math.min(a, b)] : [a, b]));
    const edges = fc.array(pair, { maxLength: names.length * 3 });
    return fc.record({
      names: fc.constant(names),
      phases: column(fc.integer({ min: 0, max: 3 })),
      disabled: column(fc.boolean()),
      edges: acyclic ? edges.map((list) => list.filter(([a, b]) => a !== b)) : edges,
    });
  });

function toServices(shape: Shape, withDisabled = false) {
  return shape.names.map((name, i) =>
    makeService(name, {
      phase: shape.phases[i],
      disabled: withDisabled && shape.disabled[i],
      dependsOn: shape.edges.filter(([from]) => from === i).map(([, to]) => shape.names[to]),
    }),
  );
}

// Brute-force oracle: reach.get(a)!.has(b) iff a path of one or more edges leads from a to b.
function computeReach(graph: Graph): Map<string, Set<string>> {
  const reach = new Map(graph.nodes.map((node) => [node.name, new Set<string>()]));
  for (const edge of graph.edges) reach.get(edge.from)!.add(edge.to);
  for (const via of reach.keys()) {
    for (const from of reach.keys()) {
      if (!reach.get(from)!.has(via)) continue;
      for (const to of reach.get(via)!) reach.get(from)!.add(to);
    }
  }
  return reach;
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe("graph properties", () => {
  test("a topological order of a random DAG places every dependency before its dependent", () => {
    fc.assert(
      fc.property(shapeArb(true), (shape) => {
        const graph = buildGraph(toServices(shape));
        const order = topologicalOrder(graph);
        expect(sorted(order)).toEqual(sorted(shape.names));
        const position = new Map(order.map((name, i) => [name, i]));
        for (const edge of graph.edges) expect(position.get(edge.to)!).toBeLessThan(position.get(edge.from)!);
      }),
      RUNS,
    );
  });

  test("findCycles reports exactly the cyclic components, each with a real cycle", () => {
    fc.assert(
      fc.property(shapeArb(false), (shape) => {
        const graph = buildGraph(toServices(shape));
        const reach = computeReach(graph);
        const edges = new Set(graph.edges.map((edge) => `${edge.from}\u0000${edge.to}`));
        const componentOf = (name: string) =>
          sorted([...reach.get(name)!].filter((other) => reach.get(other)!.has(name)));
        const cycles = findCycles(graph);
        const covered = new Set<string>();
        for (const path of cycles) {
          const component = componentOf(path[0]);
          expect(path[0]).toBe(component[0]);
          expect(path[path.length - 1]).toBe(path[0]);
          expect(new Set(path.slice(0, -1)).size).toBe(path.length - 1);
          for (let i = 0; i + 1 < path.length; i++) {
            expect(edges.has(`${path[i]}\u0000${path[i + 1]}`)).toBe(true);
            expect(component).toContain(path[i]);
          }
          for (const member of component) {
            expect(covered.has(member)).toBe(false);
            covered.add(member);
          }
        }
        const selfReaching = graph.nodes.map((node) => node.name).filter((name) => reach.get(name)!.has(name));
        expect(sorted(covered)).toEqual(sorted(selfReaching));
      }),
      RUNS,
    );
  });

  test("topologicalOrder throws exactly when some service can reach itself", () => {
    fc.assert(
      fc.property(shapeArb(false), (shape) => {
        const graph = buildGraph(toServices(shape));
        const reach = computeReach(graph);
        const cyclic = graph.nodes.some((node) => reach.get(node.name)!.has(node.name));
        const attempt = () => topologicalOrder(graph);
        if (cyclic) expect(attempt).toThrow(GraphCycleError);
        else expect(attempt).not.toThrow();
      }),
      RUNS,
    );
  });

  test("dependenciesOf and dependentsOf match reachability", () => {
    fc.assert(
      fc.property(shapeArb(false), (shape) => {
        const graph = buildGraph(toServices(shape));
        const reach = computeReach(graph);
        for (const { name } of graph.nodes) {
          const others = graph.nodes.map((node) => node.name).filter((other) => other !== name);
          const needs = others.filter((other) => reach.get(name)!.has(other));
          const neededBy = others.filter((other) => reach.get(other)!.has(name));
          expect(sorted(dependenciesOf(graph, name))).toEqual(sorted(needs));
          expect(sorted(dependentsOf(graph, name))).toEqual(sorted(neededBy));
        }
      }),
      RUNS,
    );
  });

  test("a launch plan starts each enabled service once, after its same-phase dependencies", () => {
    fc.assert(
      fc.property(shapeArb(true), (shape) => {
        const services = toServices(shape, true);
        const plan = buildLaunchPlan(makeConfig(services));
        const step = new Map<string, [number, number]>();
        for (const phase of plan.phases) {
          if (phase.mode === "serial") expect(phase.steps.every((s) => s.length === 1)).toBe(true);
          expect(phase.index === 0).toBe(phase.mode === "serial");
          phase.steps.forEach((names, i) => names.forEach((name) => step.set(name, [phase.index, i])));
          expect(phase.steps.flat()).toHaveLength(new Set(phase.steps.flat()).size);
        }
        plan.phases.forEach((phase, i) => i > 0 && expect(phase.index).toBeGreaterThan(plan.phases[i - 1].index));
        const enabled = services.filter((service) => !service.disabled);
        expect(sorted(step.keys())).toEqual(sorted(enabled.map((service) => service.name)));
        for (const service of enabled) {
          const [phase, at] = step.get(service.name)!;
          expect(phase).toBe(service.phase);
          const inPhase = service.dependsOn.map(({ name }) => step.get(name)).filter((d) => d?.[0] === phase);
          for (const dependency of inPhase) expect(dependency![1]).toBeLessThan(at);
          // Waves are tight: a service waits only as long as its latest same-phase dependency.
          if (phase > 0) expect(at).toBe(Math.max(-1, ...inPhase.map((d) => d![1])) + 1);
        }
      }),
      RUNS,
    );
  });
});
