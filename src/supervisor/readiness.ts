/** Whether a waiting service may start: all dependencies met, still coming, failed, or tripped. */
import { isConditionMet, type ServiceRuntime } from "./service-runtime";
import type { ServiceState } from "./states";

export type DependencyVerdict =
  | { kind: "go" }
  | { kind: "wait" }
  | { kind: "block"; reason: string }
  | { kind: "degrade"; reason: string };

/** States in which a dependency will not meet its condition without healing or an operator. */
const DOWN: ReadonlySet<ServiceState> = new Set(["backoff", "failed", "quarantined", "blocked", "degraded", "stopped", "stopping"]);

export function judgeDependencies(service: ServiceRuntime): DependencyVerdict {
  let waiting = false;
  let down: string | null = null;
  for (const link of service.dependencies) {
    const dependency = link.service;
    if (dependency.breaker.state !== "closed") return { kind: "degrade", reason: `${dependency.name}'s circuit breaker is ${dependency.breaker.state}` };
    if (isConditionMet(link)) continue;
    if (DOWN.has(dependency.state)) down ??= `dependency ${dependency.name} is ${dependency.state}`;
    else waiting = true;
  }
  if (down) return { kind: "block", reason: down };
  return waiting ? { kind: "wait" } : { kind: "go" };
}
