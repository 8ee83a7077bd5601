import type { Config, Dependency, ServiceConfig } from "../manifest/types";

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
  return { services: orderByDependencies(enabled), skipped };
}

// Kahn's algorithm with a ready list sorted by (phase, name), so the order never depends on input order.
// A cycle (which `check` reports) cannot be ordered; its members go last, by name.
function orderByDependencies(services: ServiceConfig[]): ServiceConfig[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of services) {
    const deps = s.dependsOn.filter((d) => byName.has(d.name));
    waiting.set(s.name, deps.length);
    for (const d of deps) dependents.set(d.name, [...(dependents.get(d.name) ?? []), s.name]);
  }
  const rank = (name: string) => `${String(byName.get(name)!.phase).padStart(4, "0")} ${name}`;
  const ready = [...waiting].filter(([, n]) => n === 0).map(([name]) => name).sort((a, b) => compare(rank(a), rank(b)));
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const next of dependents.get(name) ?? []) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) insertSorted(ready, next, rank);
    }
  }
  const rest = services.map((s) => s.name).filter((n) => !order.includes(n)).sort();
  return [...order, ...rest].map((name) => byName.get(name)!);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function insertSorted(list: string[], name: string, rank: (name: string) => string): void {
  const at = list.findIndex((n) => rank(n) > rank(name));
  if (at === -1) list.push(name);
  else list.splice(at, 0, name);
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
