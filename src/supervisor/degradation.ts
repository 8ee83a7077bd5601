/**
 * Circuit breaker consequences (SPEC §8): while a service's breaker is open or half-open its
 * dependents are `degraded` (their probe failures spend no restart attempts and none of them
 * is launched); when it closes they are re-verified or handed back to the launcher.
 */
import type { SupervisorCore } from "./core";
import type { BreakerState } from "../contract/service-view";
import { armStartupTimer, beginReadinessCheck } from "./lifecycle";
import type { ServiceRuntime } from "./service-runtime";
import { canTransition } from "./transition";

export function handleBreakerChange(core: SupervisorCore, service: ServiceRuntime, state: BreakerState, failures: number): void {
  const { windowMs, cooldownMs } = core.config.circuitBreaker;
  if (state === "open") {
    core.emitHealing(service, "breaker-opened", { reason: `${failures} failures within ${windowMs}ms; retry in ${cooldownMs}ms` });
    for (const dependent of service.dependents) degradeService(core, dependent, `${service.name}'s circuit breaker is open`);
  } else if (state === "half-open") {
    core.emitHealing(service, "breaker-half-open", { reason: `cooldown of ${cooldownMs}ms over; the next restart is a trial` });
  } else {
    core.emitHealing(service, "breaker-closed", { reason: "the service is ready again" });
    for (const dependent of service.dependents) {
      if (dependent.state === "degraded" && !hasTrippedUpstream(dependent)) restoreService(core, dependent);
    }
  }
}

/** Whether any direct dependency's breaker is open or half-open. */
export function hasTrippedUpstream(service: ServiceRuntime): boolean {
  return service.dependencies.some((link) => link.service.breaker.state !== "closed");
}

function degradeService(core: SupervisorCore, service: ServiceRuntime, reason: string): void {
  if (service.state === "degraded" || !canTransition(service.state, "degrade")) return;
  service.takeActionToken();
  service.timers.cancelAll();
  service.recordReason(reason);
  core.apply(service, "degrade", reason);
}

/** Release a degraded service whose upstream breakers are all closed again: re-verify it, or hand it back to the launcher. */
export function restoreService(core: SupervisorCore, service: ServiceRuntime): void {
  const reason = "upstream circuit breaker closed";
  if (!service.child) {
    core.apply(service, "unblock", reason);
    core.requeue(service);
    return;
  }
  core.apply(service, "undegrade", reason);
  armStartupTimer(core, service);
  beginReadinessCheck(core, service, service.generation);
}
