import type { GraphJson } from "../contract/graph-json.ts";
import { resolveView, type RenderInput } from "./render-input.ts";

/**
 * A JSON-ready copy of the graph: nodes and edges in graph order, every phase name, and the
 * start order (a plan's launch order, or a graph's topological order with cycles last).
 */
export function renderJson(input: RenderInput): GraphJson {
  const { graph, order } = resolveView(input);
  return {
    nodes: graph.nodes.map((node) => ({
      name: node.name,
      phase: node.phase,
      phaseName: node.phaseName,
      critical: node.critical,
      optional: node.optional,
      disabled: node.disabled,
      port: node.port ?? null,
    })),
    edges: graph.edges.map(({ from, to, condition }) => ({ from, to, condition })),
    phases: [...graph.phaseNames],
    order,
  };
}
