import { compareNames, compareNodes, indexNodes, listDependencies } from "./graph-lookups.ts";
import type { Graph } from "./types.ts";

/**
 * One cycle per cyclic strongly-connected component (a self-loop counts), each a concrete
 * path that starts and ends at the component's smallest name, e.g. `["a", "b", "c", "a"]`.
 * The path is the shortest cycle through that name. Cycles are ordered by their first
 * node's (phase, name).
 */
export function findCycles(graph: Graph): string[][] {
  const dependencies = listDependencies(graph);
  const nodes = indexNodes(graph);
  const cycles: string[][] = [];
  for (const component of findComponents(graph, dependencies)) {
    const [only] = component;
    const selfLoop = component.length === 1 && dependencies.get(only)!.includes(only);
    if (component.length === 1 && !selfLoop) continue;
    const start = component.reduce((a, b) => (compareNames(a, b) <= 0 ? a : b));
    cycles.push(traceCycle(start, new Set(component), dependencies));
  }
  return cycles.sort((a, b) => compareNodes(nodes.get(a[0])!, nodes.get(b[0])!));
}

/** `["a", "b", "a"]` → `"a -> b -> a"`, the form `check` prints. */
export function formatCycle(path: readonly string[]): string {
  return path.join(" -> ");
}

interface Frame {
  name: string;
  next: number;
}

// Tarjan's algorithm with an explicit stack, so a long dependency chain cannot overflow.
function findComponents(graph: Graph, dependencies: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const frames: Frame[] = [];
  const open = (name: string): void => {
    index.set(name, index.size);
    low.set(name, index.get(name)!);
    stack.push(name);
    onStack.add(name);
    frames.push({ name, next: 0 });
  };
  for (const root of graph.nodes) {
    if (!index.has(root.name)) open(root.name);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const targets = dependencies.get(frame.name)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) low.set(frame.name, Math.min(low.get(frame.name)!, index.get(target)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) === index.get(frame.name)) components.push(popComponent(stack, onStack, frame.name));
    }
  }
  return components;
}

function popComponent(stack: string[], onStack: Set<string>, root: string): string[] {
  const component: string[] = [];
  let member: string;
  do {
    member = stack.pop()!;
    onStack.delete(member);
    component.push(member);
  } while (member !== root);
  return component;
}

// Breadth-first from `start` inside its component: the first edge back to `start` closes
// the shortest cycle, and sorted neighbour lists make the choice deterministic.
function traceCycle(start: string, members: Set<string>, dependencies: Map<string, string[]>): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head];
    for (const next of dependencies.get(current)!) {
      if (next === start) return [...walkBack(current, start, parent), start];
      if (!members.has(next) || parent.has(next)) continue;
      parent.set(next, current);
      queue.push(next);
    }
  }
  throw new Error(`expected a cycle through "${start}", found none (graph index is inconsistent)`);
}

function walkBack(end: string, start: string, parent: Map<string, string>): string[] {
  const path = [end];
  while (path[path.length - 1] !== start) path.push(parent.get(path[path.length - 1])!);
  return path.reverse();
}
