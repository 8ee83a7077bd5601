/**
 * The dependency graph as plain data. Edges point from a dependent to its dependency, so a
 * path `a -> b -> c` reads "a needs b, which needs c". Every list is ordered by phase,
 * then name, so two builds of the same config render and serialise identically.
 */
import type { GraphEdge, GraphJsonNode } from "../contract/graph-json.ts";

/** One service as the graph sees it: identity, phase and the flags renderers show (GraphJsonNode, with `port` absent when unset). */
export type GraphNode = Omit<GraphJsonNode, "port"> & { port?: number };

/** Nodes sorted by (phase, name); edges sorted by (from, to) in node order. */
export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Phase names by index. */
  phaseNames: string[];
}

/** A service that depends on one launched in a later phase, which cannot work. */
export interface PhaseViolation {
  service: string;
  dependency: string;
  servicePhase: number;
  dependencyPhase: number;
}

export type LaunchMode = "serial" | "parallel";

/** One phase of the launch: each step starts together, after the previous step. */
export interface LaunchPhase {
  index: number;
  name: string;
  mode: LaunchMode;
  /** How many services may be starting at once: 1 when serial, `launch.concurrency` otherwise. */
  concurrency: number;
  steps: string[][];
}

/** The launch order for the enabled services; `graph` holds only those services. */
export interface LaunchPlan {
  phases: LaunchPhase[];
  graph: Graph;
}
