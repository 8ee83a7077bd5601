/** The dependency graph's layout: phase bands left to right, depth columns inside a phase, rows that keep edges short. */
import { describe, expect, test } from "bun:test";
import { arcLift, layoutGraph, NODE_H, NODE_W, relatives, type GraphLayout } from "../../src/dashboard/lib/graph-layout";
import type { GraphJson } from "../helpers/contract";

type Edge = [from: string, to: string];

/** A graph of `nodes` ("name:phase", "name:phase:disabled") and `edges` (from needs to). */
function graph(nodes: string[], edges: Edge[], phases = ["critical", "core", "extras"]): GraphJson {
  return {
    nodes: nodes.map((spec) => {
      const [name, phase, disabled] = spec.split(":");
      return { name: name!, phase: Number(phase), phaseName: phases[Number(phase)] ?? "", critical: phase === "0", optional: false, disabled: disabled === "disabled", port: null };
    }),
    edges: edges.map(([from, to]) => ({ from, to, condition: "healthy" as const })),
    phases,
    order: nodes.map((spec) => spec.split(":")[0]!),
  };
}

const col = (layout: GraphLayout, name: string) => layout.nodes.get(name)!.col;
const rowOrder = (layout: GraphLayout, names: string[]) => [...names].sort((a, b) => layout.nodes.get(a)!.y - layout.nodes.get(b)!.y);

describe("layoutGraph", () => {
  test("phases are bands from left to right, each named, with its nodes inside it", () => {
    const layout = layoutGraph(graph(["db:0", "api:1", "web:1", "mail:2"], [["api", "db"], ["web", "api"], ["mail", "api"]]));
    expect(layout.bands.map((b) => [b.phase, b.name])).toEqual([[0, "critical"], [1, "core"], [2, "extras"]]);
    for (const node of layout.nodes.values()) {
      const band = layout.bands.find((b) => b.phase === node.phase)!;
      expect({ name: node.name, inside: node.x >= band.x && node.x + NODE_W <= band.x + band.width }).toEqual({ name: node.name, inside: true });
    }
    expect(layout.bands[0]!.x + layout.bands[0]!.width).toBeLessThan(layout.bands[1]!.x);
  });

  test("inside a phase, a service sits one column right of the deepest same-phase service it needs", () => {
    const layout = layoutGraph(graph(["db:0", "cache:0", "queue:0", "api:1"], [["cache", "db"], ["queue", "cache"], ["api", "queue"]]));
    expect(["db", "cache", "queue", "api"].map((n) => col(layout, n))).toEqual([0, 1, 2, 3]);
    // a dependency in an earlier phase does not push a node right within its own phase
    const flat = layoutGraph(graph(["db:0", "api:1", "web:1"], [["api", "db"], ["web", "db"]]));
    expect([col(flat, "api"), col(flat, "web")]).toEqual([1, 1]);
  });

  test("rows follow the rows of what each node needs, so edges stay short; same needs go by name, no needs by start order", () => {
    const layout = layoutGraph(graph(["a:0", "b:0", "x:1", "y:1", "q:1", "p:1"], [["x", "b"], ["y", "a"], ["q", "b"], ["p", "b"]]));
    expect(rowOrder(layout, ["a", "b"])).toEqual(["a", "b"]);
    expect(rowOrder(layout, ["x", "y", "q", "p"])).toEqual(["y", "p", "q", "x"]);
    const free = layoutGraph(graph(["c:0", "b:0", "a:0"], []));
    expect(rowOrder(free, ["a", "b", "c"])).toEqual(["c", "b", "a"]);
  });

  test("no two nodes overlap and every node lies inside the drawing", () => {
    const names = Array.from({ length: 12 }, (_, i) => `s${i}:${i % 3}`);
    const edges: Edge[] = names.slice(3).map((n, i) => [n.split(":")[0]!, names[i]!.split(":")[0]!]);
    const layout = layoutGraph(graph(names, edges));
    const boxes = [...layout.nodes.values()];
    for (const a of boxes) {
      expect(a.x >= 0 && a.y >= 0 && a.x + NODE_W <= layout.width && a.y + NODE_H <= layout.height).toBe(true);
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x + NODE_W <= b.x || b.x + NODE_W <= a.x || a.y + NODE_H <= b.y || b.y + NODE_H <= a.y;
        expect({ pair: `${a.name}/${b.name}`, apart }).toEqual({ pair: `${a.name}/${b.name}`, apart: true });
      }
    }
  });

  test("an edge that skips columns makes room above the first row for its arc", () => {
    const near = layoutGraph(graph(["db:0", "api:1"], [["api", "db"]]));
    const far = layoutGraph(graph(["db:0", "cache:0", "queue:0", "api:1"], [["cache", "db"], ["queue", "cache"], ["api", "db"]]));
    expect(far.nodes.get("db")!.y).toBeGreaterThan(near.nodes.get("db")!.y);
    expect([arcLift(0), arcLift(1)]).toEqual([0, 0]);
    expect(arcLift(3)).toBeGreaterThan(arcLift(2));
  });

  test("a disabled service is placed and marked; an unnamed phase is called by its number; a cycle does not hang", () => {
    const layout = layoutGraph(graph(["db:0", "old:3:disabled"], [], ["critical"]));
    expect(layout.nodes.get("old")).toMatchObject({ disabled: true, phase: 3 });
    expect(layout.bands.map((b) => b.name)).toEqual(["critical", "phase 3"]);
    const cyclic = layoutGraph(graph(["a:0", "b:0"], [["a", "b"], ["b", "a"]]));
    expect(cyclic.nodes.size).toBe(2);
  });

  test("an empty graph still has a drawable size", () => {
    const layout = layoutGraph(graph([], []));
    expect(layout.nodes.size).toBe(0);
    expect(layout.width).toBeGreaterThan(0);
    expect(layout.height).toBeGreaterThan(0);
  });
});

describe("relatives", () => {
  test("everything a service needs, transitively, and everything that needs it", () => {
    const g = graph(["db:0", "cache:0", "api:1", "web:1", "mail:2"], [["cache", "db"], ["api", "cache"], ["web", "api"], ["mail", "db"]]);
    const { upstream, downstream } = relatives(g, "api");
    expect([...upstream].sort()).toEqual(["cache", "db"]);
    expect([...downstream].sort()).toEqual(["web"]);
    expect([...relatives(g, "db").downstream].sort()).toEqual(["api", "cache", "mail", "web"]);
    expect(relatives(g, "db").upstream.size).toBe(0);
  });
});
