import type { Config } from "../contract/config.ts";
import { buildGraph, removeDisabled } from "./build-graph.ts";
import { findCycles } from "./find-cycles.ts";
import { GraphCycleError } from "./graph-error.ts";
import { indexNodes, listDependencies } from "./graph-lookups.ts";
import { sortTopologically } from "./sort-topologically.ts";
import type { Graph, GraphNode, LaunchPhase, LaunchPlan } from "./types.ts";
import type { GraphEdge } from "../contract/graph-json.ts";

/**
 * The order the launcher follows. Disabled services are left out (and dependencies on them
 * ignored). Phase 0 is serial, one service per step in dependency order; later phases are
 * parallel, one step per wave, where a service's wave is one more than the latest wave of
 * its dependencies in the same phase (earlier phases are already up). Phases with no
 * enabled service are omitted. Throws `GraphCycleError` when the enabled services form a cycle.
 */
export function buildLaunchPlan(config: Config): LaunchPlan {
  const graph = removeDisabled(buildGraph(config.services, config.phases));
  const cycles = findCycles(graph);
  if (cycles.length > 0) throw new GraphCycleError(cycles);
  const inPhase = groupEdgesByPhase(graph);
  const phases = groupByPhase(graph.nodes).map(([index, nodes]): LaunchPhase => {
    const order = sortTopologically(nodes, inPhase.get(index) ?? []).order;
    const name = graph.phaseNames[index];
    const critical = Math.max(1, config.launch.criticalConcurrency ?? 1);
    if (index === 0 && critical === 1) return { index, name, mode: "serial", concurrency: 1, steps: order.map((service) => [service]) };
    if (index === 0) return { index, name, mode: "parallel", concurrency: critical, steps: groupIntoWaves(order, graph) };
    const steps = groupIntoWaves(order, graph);
    return { index, name, mode: "parallel", concurrency: config.launch.concurrency, steps };
  });
  return { phases, graph };
}

function groupByPhase(nodes: readonly GraphNode[]): [number, GraphNode[]][] {
  const phases = new Map<number, GraphNode[]>();
  for (const node of nodes) {
    const members = phases.get(node.phase) ?? [];
    members.push(node);
    phases.set(node.phase, members);
  }
  return [...phases.entries()].sort(([a], [b]) => a - b);
}

// Each phase is sorted with the edges inside it only: handing every phase every edge cost
// phases × edges.
function groupEdgesByPhase(graph: Graph): Map<number, GraphEdge[]> {
  const nodes = indexNodes(graph);
  const byPhase = new Map<number, GraphEdge[]>();
  for (const edge of graph.edges) {
    const phase = nodes.get(edge.from)!.phase;
    if (nodes.get(edge.to)!.phase !== phase) continue;
    const edges = byPhase.get(phase) ?? [];
    edges.push(edge);
    byPhase.set(phase, edges);
  }
  return byPhase;
}

// `order` is topological, so each dependency's wave is known before its dependents'.
function groupIntoWaves(order: readonly string[], graph: Graph): string[][] {
  const dependencies = listDependencies(graph);
  const waves = new Map<string, number>();
  const steps: string[][] = [];
  for (const service of order) {
    let wave = 0;
    for (const dependency of dependencies.get(service)!) wave = Math.max(wave, (waves.get(dependency) ?? -1) + 1);
    waves.set(service, wave);
    (steps[wave] ??= []).push(service);
  }
  return steps.map((step) => step.sort());
}
