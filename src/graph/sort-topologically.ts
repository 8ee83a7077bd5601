import { compareNodes } from "./graph-lookups.ts";
import type { GraphEdge, GraphNode } from "./types.ts";

export interface TopologicalSort {
  /** Dependencies before dependents; among ready nodes, lowest (phase, name) first. */
  order: string[];
  /** Nodes on or behind a cycle, which no order can place; sorted by (phase, name). */
  stuck: string[];
}

// Kahn's algorithm over `nodes`, ignoring edges that leave the set: callers use it for the
// whole graph and for a single phase, where earlier phases are already running.
export function sortTopologically(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): TopologicalSort {
  const members = new Map(nodes.map((node) => [node.name, node]));
  const waiting = new Map(nodes.map((node) => [node.name, 0]));
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const edge of edges) {
    if (!members.has(edge.from) || !members.has(edge.to)) continue;
    waiting.set(edge.from, waiting.get(edge.from)! + 1);
    dependents.get(edge.to)!.push(edge.from);
  }
  const ready = nodes.filter((node) => waiting.get(node.name) === 0).sort(compareNodes);
  const order: string[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node.name);
    for (const dependent of dependents.get(node.name)!) {
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) insertSorted(ready, members.get(dependent)!);
    }
  }
  const placed = new Set(order);
  const stuck = nodes.filter((node) => !placed.has(node.name)).sort(compareNodes);
  return { order, stuck: stuck.map((node) => node.name) };
}

function insertSorted(ready: GraphNode[], node: GraphNode): void {
  let low = 0;
  let high = ready.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareNodes(ready[middle], node) < 0) low = middle + 1;
    else high = middle;
  }
  ready.splice(low, 0, node);
}
