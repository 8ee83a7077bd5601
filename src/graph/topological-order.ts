import { findCycles } from "./find-cycles.ts";
import { GraphCycleError } from "./graph-error.ts";
import { sortTopologically } from "./sort-topologically.ts";
import type { Graph } from "./types.ts";

/**
 * Every service name, dependencies before dependents; among services whose dependencies are
 * all placed, the lowest (phase, name) goes first. Throws `GraphCycleError` listing every
 * cycle when no such order exists.
 */
export function topologicalOrder(graph: Graph): string[] {
  const { order, stuck } = sortTopologically(graph.nodes, graph.edges);
  if (stuck.length > 0) throw new GraphCycleError(findCycles(graph));
  return order;
}

/** Like `topologicalOrder`, but never throws: services on or behind a cycle come last. */
export function orderLeniently(graph: Graph): string[] {
  const { order, stuck } = sortTopologically(graph.nodes, graph.edges);
  return [...order, ...stuck];
}
