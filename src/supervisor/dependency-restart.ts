/** The `dependencies` tier: restart a service's dependencies first, in launch order, each until it settles. */
import type { SupervisorCore } from "./core";
import { spawnService, stopChild, stopProbing } from "./lifecycle";
import type { ServiceRuntime } from "./service-runtime";
import { isInFlight, isRunning } from "../contract/state-classes";
import type { ServiceState } from "../contract/states";

export async function restartDependencies(core: SupervisorCore, service: ServiceRuntime, isStillDue: () => boolean): Promise<void> {
  const dependencies = service.dependencies.map((link) => link.service).sort((a, b) => a.order - b.order);
  for (const dependency of dependencies) {
    if (!isStillDue()) return;
    await restartForDependent(core, dependency, service.name);
  }
}

// A dependency that is failed, quarantined or stopped is left alone: the operator owns it now.
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
