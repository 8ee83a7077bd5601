/** Whether a waiting service may start: all dependencies met, still coming, failed, or tripped. */
import { isDown } from "../contract/state-classes";
import { isConditionMet, type ServiceRuntime } from "./service-runtime";

export type DependencyVerdict =
  | { kind: "go" }
  | { kind: "wait" }
  | { kind: "block"; reason: string }
  | { kind: "degrade"; reason: string };

export function judgeDependencies(service: ServiceRuntime): DependencyVerdict {
  let waiting = false;
  let down: string | null = null;
  for (const link of service.dependencies) {
    const dependency = link.service;
    if (dependency.breaker.state !== "closed") return { kind: "degrade", reason: `${dependency.name}'s circuit breaker is ${dependency.breaker.state}` };
    if (isConditionMet(link)) continue;
    if (isDown(dependency.state)) down ??= `dependency ${dependency.name} is ${dependency.state}`;
    else waiting = true;
  }
  if (down) return { kind: "block", reason: down };
  return waiting ? { kind: "wait" } : { kind: "go" };
}
