import { compareNodes } from "./graph-lookups.ts";
import type { GraphNode } from "./types.ts";
import type { GraphEdge } from "../contract/graph-json.ts";

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
  const ready = new NodeHeap();
  for (const node of nodes) if (waiting.get(node.name) === 0) ready.push(node);
  const order: string[] = [];
  while (ready.size > 0) {
    const node = ready.pop();
    order.push(node.name);
    for (const dependent of dependents.get(node.name)!) {
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) ready.push(members.get(dependent)!);
    }
  }
  const placed = new Set(order);
  const stuck = nodes.filter((node) => !placed.has(node.name)).sort(compareNodes);
  return { order, stuck: stuck.map((node) => node.name) };
}

// A binary min-heap by (phase, name): a sorted array with shift and splice made a wide
// graph (30,000 services ready at once) cost a move of the whole array per service.
class NodeHeap {
  private readonly items: GraphNode[] = [];

  get size(): number {
    return this.items.length;
  }

  push(node: GraphNode): void {
    const items = this.items;
    let i = items.push(node) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareNodes(items[parent], items[i]) <= 0) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): GraphNode {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < items.length && compareNodes(items[left], items[least]) < 0) least = left;
        if (right < items.length && compareNodes(items[right], items[least]) < 0) least = right;
        if (least === i) break;
        [items[least], items[i]] = [items[i], items[least]];
        i = least;
      }
    }
    return top;
  }
}
