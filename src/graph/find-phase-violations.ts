import { indexNodes } from "./graph-lookups.ts";
import type { Graph, PhaseViolation } from "./types.ts";

/**
 * Every edge whose dependency launches in a later phase than its dependent: that dependent
 * would start before what it needs exists. Ordered like the graph's edges.
 */
export function findPhaseViolations(graph: Graph): PhaseViolation[] {
  const nodes = indexNodes(graph);
  const violations: PhaseViolation[] = [];
  for (const edge of graph.edges) {
    const servicePhase = nodes.get(edge.from)!.phase;
    const dependencyPhase = nodes.get(edge.to)!.phase;
    if (dependencyPhase <= servicePhase) continue;
    violations.push({ service: edge.from, dependency: edge.to, servicePhase, dependencyPhase });
  }
  return violations;
}
