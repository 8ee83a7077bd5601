import { orderLeniently } from "./topological-order.ts";
import type { Graph, GraphNode, LaunchPlan } from "./types.ts";

/** What every renderer accepts: the whole graph, or a plan (enabled services, launch order). */
export type RenderInput = Graph | LaunchPlan;

export interface RenderView {
  graph: Graph;
  order: string[];
  /** Non-empty phases in index order, each with its nodes sorted by name. */
  phases: { index: number; name: string; nodes: GraphNode[] }[];
}

// A plan's order is its launch order; a graph's is topological, with any cycle placed last
// so a broken manifest can still be drawn.
export function resolveView(input: RenderInput): RenderView {
  const graph = "nodes" in input ? input : input.graph;
  const order = "nodes" in input ? orderLeniently(input) : input.phases.flatMap((phase) => phase.steps.flat());
  const phases: RenderView["phases"] = [];
  for (const node of graph.nodes) {
    const last = phases[phases.length - 1];
    if (last?.index === node.phase) last.nodes.push(node);
    else phases.push({ index: node.phase, name: graph.phaseNames[node.phase] ?? node.phaseName, nodes: [node] });
  }
  return { graph, order, phases };
}
