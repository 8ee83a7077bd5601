/**
 * The `dependencies` tier: restart a service's dependencies first, in launch order, each until
 * it settles. A protected dependency (`protected: true`, the default in phase 0) is never
 * restarted for a dependent (SPEC §13), nor is one the operator or the healer gave up on:
 * those are left alone, and the dependent's healing event says which and why.
 */
import type { SkippedDependency } from "../contract/events";
import type { SupervisorCore } from "./core";
import { spawnService, stopChild, stopProbing } from "./lifecycle";
import type { ServiceRuntime } from "./service-runtime";
import { hasGivenUp, isInFlight, isRunning } from "../contract/state-classes";
import type { ServiceState } from "../contract/states";

/** Restart `service`'s dependencies (see above); resolves with those it left alone. */
export async function restartDependencies(core: SupervisorCore, service: ServiceRuntime, isStillDue: () => boolean): Promise<SkippedDependency[]> {
  const dependencies = service.dependencies.map((link) => link.service).sort((a, b) => a.order - b.order);
  const skipped: SkippedDependency[] = [];
  for (const dependency of dependencies) {
    if (!isStillDue()) break;
    const why = judgeSkip(dependency);
    if (why) skipped.push({ service: dependency.name, reason: why });
    else await restartForDependent(core, dependency, service.name);
  }
  return skipped;
}

/** Why `dependency` is not restarted for a dependent; null when it is. */
export function judgeSkip(dependency: ServiceRuntime): string | null {
  if (dependency.config.protected) return dependency.config.phase === 0 ? "protected (phase 0; set protected: false to allow it)" : "protected: true";
  if (dependency.state === "stopped" || hasGivenUp(dependency.state)) return `it is ${dependency.state}: the operator's to start`;
  return null;
}

/** The healing reason of a dependencies-tier restart that left dependencies alone: `reason` and which, and why. */
export function describeSkipped(reason: string, skipped: readonly SkippedDependency[]): string {
  if (skipped.length === 0) return reason;
  return `${reason}; dependencies left alone: ${skipped.map((s) => `${s.service} (${s.reason})`).join(", ")}`;
}

async function restartForDependent(core: SupervisorCore, dependency: ServiceRuntime, dependent: string): Promise<void> {
  if (isRunning(dependency.state)) {
    const reason = `restarted before its dependent ${dependent} (dependencies tier)`;
    const token = dependency.takeActionToken();
    dependency.timers.cancelAll();
    stopProbing(core, dependency);
    core.apply(dependency, "schedule-restart", reason);
    core.emitHealing(dependency, "restart-scheduled", { tier: "dependencies", reason, delayMs: 0 });
    await stopChild(dependency);
    if (token !== dependency.actionToken || dependency.state !== "backoff" || core.shuttingDown) return;
    spawnService(core, dependency, "spawn", { reason, restart: true, onSpawned: () => core.emitHealing(dependency, "restarted", { tier: "dependencies", reason }) });
  }
  if (isInFlight(dependency.state)) await waitUntilSettled(core, dependency);
}

// Resolves once the service leaves pending/starting/backoff, or after a generous guard time.
function waitUntilSettled(core: SupervisorCore, service: ServiceRuntime): Promise<void> {
  return new Promise((resolve) => {
    const guardMs = service.config.startupTimeoutMs + Math.max(0, ...service.config.restart.backoffMs);
    const waiter = (state: ServiceState): boolean => {
      if (isInFlight(state)) return false;
      guard.cancel();
      resolve();
      return true;
    };
    const guard = core.clock.setTimeout(() => {
      service.waiters.remove(waiter);
      resolve();
    }, guardMs);
    service.waiters.add(waiter);
  });
}
