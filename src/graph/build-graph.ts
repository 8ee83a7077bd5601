import type { ServiceConfig } from "../contract/config.ts";
import { compareNodes } from "./graph-lookups.ts";
import type { Graph, GraphNode } from "./types.ts";
import type { GraphEdge } from "../contract/graph-json.ts";

/**
 * Build the dependency graph of `services`. Dependencies on names that are not services are
 * dropped (validation reports them), a repeated dependency keeps its first condition, and
 * disabled services stay in as nodes flagged `disabled`. `phaseNames` (normally
 * `Config.phases`) names the phases; indexes beyond it take the services' own `phaseName`.
 */
export function buildGraph(services: readonly ServiceConfig[], phaseNames: readonly string[] = []): Graph {
  const nodes = collectNodes(services);
  const order = new Map(nodes.map((node, position) => [node.name, position]));
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const service of services) {
    for (const dependency of service.dependsOn) {
      const key = `${service.name}\u0000${dependency.name}`;
      if (!order.has(dependency.name) || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: service.name, to: dependency.name, condition: dependency.condition });
    }
  }
  edges.sort((a, b) => order.get(a.from)! - order.get(b.from)! || order.get(a.to)! - order.get(b.to)!);
  return { nodes, edges, phaseNames: namePhases(nodes, phaseNames) };
}

/** Keep only enabled services and the edges between them: what a launch actually starts. */
export function removeDisabled(graph: Graph): Graph {
  const nodes = graph.nodes.filter((node) => !node.disabled);
  const enabled = new Set(nodes.map((node) => node.name));
  const edges = graph.edges.filter((edge) => enabled.has(edge.from) && enabled.has(edge.to));
  return { nodes, edges, phaseNames: graph.phaseNames };
}

// The first service with a given name wins; duplicates are a validation error elsewhere.
function collectNodes(services: readonly ServiceConfig[]): GraphNode[] {
  const byName = new Map<string, GraphNode>();
  for (const service of services) {
    if (byName.has(service.name)) continue;
    byName.set(service.name, toNode(service));
  }
  return [...byName.values()].sort(compareNodes);
}

function toNode(service: ServiceConfig): GraphNode {
  const node: GraphNode = {
    name: service.name,
    phase: service.phase,
    phaseName: service.phaseName,
    critical: service.critical,
    optional: service.optional,
    disabled: service.disabled,
  };
  if (service.port !== undefined) node.port = service.port;
  return node;
}

function namePhases(nodes: readonly GraphNode[], phaseNames: readonly string[]): string[] {
  const names = [...phaseNames];
  for (const node of nodes) {
    if (names[node.phase] === undefined) names[node.phase] = node.phaseName;
  }
  return Array.from(names, (name, index) => name ?? `phase-${index}`);
}
