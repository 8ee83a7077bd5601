import type { Graph, GraphNode } from "./types.ts";

// Code-unit order, not localeCompare, so output does not depend on the host's locale.
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareNodes(a: GraphNode, b: GraphNode): number {
  return a.phase - b.phase || compareNames(a.name, b.name);
}

export function indexNodes(graph: Graph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((node) => [node.name, node]));
}

// Neighbour lists keep edge order, which buildGraph already sorts by (phase, name).
export function listDependencies(graph: Graph): Map<string, string[]> {
  const dependencies = new Map<string, string[]>(graph.nodes.map((node) => [node.name, []]));
  for (const edge of graph.edges) dependencies.get(edge.from)?.push(edge.to);
  return dependencies;
}

export function listDependents(graph: Graph): Map<string, string[]> {
  const dependents = new Map<string, string[]>(graph.nodes.map((node) => [node.name, []]));
  for (const edge of graph.edges) dependents.get(edge.to)?.push(edge.from);
  return dependents;
}
