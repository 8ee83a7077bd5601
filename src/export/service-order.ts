import { buildGraph, orderLeniently } from "../graph";
import type { Config, Dependency, ServiceConfig } from "../contract/config";

/** The services an export writes, in launch order, and what it leaves out. */
export interface ExportPlan {
  /** Enabled services, dependencies first, ties broken by name. */
  services: ServiceConfig[];
  /** Disabled services: not exported. */
  skipped: string[];
}

/** Picks the enabled services and orders them by phase, each after its dependencies. */
export function planExport(config: Config): ExportPlan {
  const enabled = config.services.filter((s) => !s.disabled);
  const skipped = config.services.filter((s) => s.disabled).map((s) => s.name).sort();
  const byName = new Map(enabled.map((s) => [s.name, s]));
  // The graph's own order: (phase, name) among the ready; a cycle (which `check` reports) goes last.
  const order = orderLeniently(buildGraph(enabled, config.phases));
  return { services: order.map((name) => byName.get(name)!), skipped };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits a service's dependencies into those that are exported and those that are not (disabled or unknown). */
export function splitDependencies(
  service: ServiceConfig,
  exported: ReadonlySet<string>,
): { kept: Dependency[]; dropped: Dependency[] } {
  const sorted = [...service.dependsOn].sort((a, b) => compare(a.name, b.name));
  return {
    kept: sorted.filter((d) => exported.has(d.name)),
    dropped: sorted.filter((d) => !exported.has(d.name)),
  };
}
