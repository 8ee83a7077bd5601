import { describe, expect, test } from "bun:test";
import { buildGraph, buildLaunchPlan, renderDot, renderJson, renderMermaid } from "../../src/graph/index.ts";
import { makeConfig, makeService, PHASES } from "./make-service.ts";

const services = [
  makeService("db", { phase: 0, port: 5432 }),
  makeService("api", { port: 4001, dependsOn: ["db", { name: "migrate", condition: "completed" }] }),
  makeService("migrate", { dependsOn: [{ name: "db", condition: "started" }] }),
  makeService("web", { phase: 4, optional: true, dependsOn: ["api"] }),
  makeService("legacy", { phase: 4, disabled: true, dependsOn: ["api"] }),
];
const graph = buildGraph(services, PHASES);

describe("renderMermaid", () => {
  test("draws one subgraph per phase and labels non-healthy conditions", () => {
    expect(renderMermaid(graph)).toBe(
      [
        "flowchart LR",
        '  subgraph phase_0["critical"]',
        '    svc_db["db"]',
        "  end",
        '  subgraph phase_1["core"]',
        '    svc_api["api"]',
        '    svc_migrate["migrate"]',
        "  end",
        '  subgraph phase_4["user-facing"]',
        '    svc_legacy["legacy"]',
        '    svc_web["web"]',
        "  end",
        "  svc_api --> svc_db",
        "  svc_api -->|completed| svc_migrate",
        "  svc_migrate -->|started| svc_db",
        "  svc_legacy --> svc_api",
        "  svc_web --> svc_api",
        "  classDef disabled stroke-dasharray: 5 5,opacity:0.5",
        "  class svc_legacy disabled",
        "",
      ].join("\n"),
    );
  });

  test("turns awkward names into safe ids and escaped labels", () => {
    const awkward = buildGraph([
      makeService("end"),
      makeService("a-b", { dependsOn: ["a.b"] }),
      makeService("a.b", { dependsOn: ["end"] }),
      makeService('x"y#@z'),
    ]);
    expect(renderMermaid(awkward)).toBe(
      [
        "flowchart LR",
        '  subgraph phase_1["core"]',
        '    svc_a_b["a-b"]',
        '    svc_a_b_2["a.b"]',
        '    svc_end["end"]',
        '    svc_x_y__z["x#quot;y#35;@z"]',
        "  end",
        "  svc_a_b --> svc_a_b_2",
        "  svc_a_b_2 --> svc_end",
        "",
      ].join("\n"),
    );
  });
});

describe("renderDot", () => {
  test("draws one cluster per phase and labels non-healthy conditions", () => {
    expect(renderDot(graph)).toBe(
      [
        "digraph dependencies {",
        "  rankdir=LR;",
        "  node [shape=box];",
        "  subgraph cluster_0 {",
        '    label="critical";',
        '    "db";',
        "  }",
        "  subgraph cluster_1 {",
        '    label="core";',
        '    "api";',
        '    "migrate";',
        "  }",
        "  subgraph cluster_4 {",
        '    label="user-facing";',
        '    "legacy" [style=dashed, fontcolor=gray50];',
        '    "web";',
        "  }",
        '  "api" -> "db";',
        '  "api" -> "migrate" [label="completed"];',
        '  "migrate" -> "db" [label="started"];',
        '  "legacy" -> "api";',
        '  "web" -> "api";',
        "}",
        "",
      ].join("\n"),
    );
  });

  test("quotes names with dashes, dots, at-signs, quotes and backslashes", () => {
    const awkward = buildGraph([makeService("@a.b-c", { dependsOn: ['q"\\'] }), makeService('q"\\')]);
    const dot = renderDot(awkward);
    expect(dot).toContain('    "@a.b-c";\n');
    expect(dot).toContain('    "q\\"\\\\";\n');
    expect(dot).toContain('  "@a.b-c" -> "q\\"\\\\";\n');
  });
});

describe("renderJson", () => {
  test("serialises nodes, edges, phases and a topological order", () => {
    const json = renderJson(graph);
    expect(json.nodes[0]).toEqual({
      name: "db",
      phase: 0,
      phaseName: "critical",
      critical: true,
      optional: false,
      disabled: false,
      port: 5432,
    });
    expect(json.nodes.map((node) => [node.name, node.port, node.optional, node.disabled])).toEqual([
      ["db", 5432, false, false],
      ["api", 4001, false, false],
      ["migrate", null, false, false],
      ["legacy", null, false, true],
      ["web", null, true, false],
    ]);
    expect(json.edges).toEqual(graph.edges);
    expect(json.phases).toEqual(PHASES);
    expect(json.order).toEqual(["db", "migrate", "api", "legacy", "web"]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test("still renders a graph with a cycle, cycle last", () => {
    const cyclic = buildGraph([
      makeService("a", { dependsOn: ["b"] }),
      makeService("b", { dependsOn: ["a"] }),
      makeService("c"),
    ]);
    expect(renderJson(cyclic).order).toEqual(["c", "a", "b"]);
  });
});

describe("rendering a launch plan", () => {
  const plan = buildLaunchPlan(makeConfig(services));

  test("shows only enabled services, in launch order", () => {
    const json = renderJson(plan);
    expect(json.nodes.map((node) => node.name)).toEqual(["db", "api", "migrate", "web"]);
    expect(json.order).toEqual(["db", "migrate", "api", "web"]);
    expect(json.phases).toEqual(PHASES);
  });

  test("draws the same diagram as the enabled graph", () => {
    expect(renderMermaid(plan)).toBe(renderMermaid(plan.graph));
    expect(renderMermaid(plan)).not.toContain("legacy");
    expect(renderDot(plan)).not.toContain("legacy");
  });
});
