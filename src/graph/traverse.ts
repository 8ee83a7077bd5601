import { compareNodes, indexNodes, listDependencies, listDependents } from "./graph-lookups.ts";
import type { Graph } from "./types.ts";

/**
 * Every service that needs `name`, directly or through others: what stops or blocks when it
 * fails. Sorted by (phase, name); excludes `name` itself; empty for an unknown name.
 */
export function dependentsOf(graph: Graph, name: string): string[] {
  return collectReachable(graph, name, listDependents(graph));
}

/**
 * Every service `name` needs, directly or through others: what must be up before it starts.
 * Sorted by (phase, name); excludes `name` itself; empty for an unknown name.
 */
export function dependenciesOf(graph: Graph, name: string): string[] {
  return collectReachable(graph, name, listDependencies(graph));
}

function collectReachable(graph: Graph, start: string, neighbours: Map<string, string[]>): string[] {
  const seen = new Set<string>([start]);
  const pending = [start];
  while (pending.length > 0) {
    for (const next of neighbours.get(pending.pop()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(next);
    }
  }
  seen.delete(start);
  const nodes = indexNodes(graph);
  return [...seen].map((found) => nodes.get(found)!).sort(compareNodes).map((node) => node.name);
}
