/**
 * The healing ladder in action (SPEC §8): count the failure, feed the breaker, wait the
 * backoff, then act by tier. Zero backoff acts synchronously, so a crash is respawned with
 * no timer or await in between.
 */
import type { FailureHow, SupervisorCore } from "./core";
import type { SkippedDependency } from "../contract/events";
import { describeSkipped, restartDependencies } from "./dependency-restart";
import type { LadderStep } from "./ladder";
import { selectTier } from "./ladder";
import { killChild, spawnService, stopChild, stopProbing } from "./lifecycle";
import { judgeFailure } from "./policy";
import type { ServiceRuntime } from "./service-runtime";

/** A failure of a running or starting service: an unexpected exit, a failed start, unhealthy, or over its memory limit. */
export function handleFailure(core: SupervisorCore, service: ServiceRuntime, reason: string, how: FailureHow = {}): void {
  service.recordReason(reason);
  service.timers.cancelAll();
  stopProbing(core, service);
  const before = service.ladder.attempt;
  core.emitHealing(service, "detected", { attempt: before, reason, cause: how.cause, exit: how.exit, context: service.tail.snapshot() });
  core.incidents.record(service, reason);
  if (how.final || judgeFailure(service.config) === "give-up") return giveUp(core, service, reason);
  service.breaker.recordFailure();
  const step = service.ladder.recordFailure(how.floor);
  if (step.tier === "quarantine") return quarantine(core, service, step, reason);
  if (before > 0 && !step.wasReset && selectTier(before) !== step.tier) {
    core.emitHealing(service, "escalated", { attempt: step.attempt, tier: step.tier, reason: `${selectTier(before)} → ${step.tier}` });
  }
  const delayMs = Math.max(step.delayMs, service.breaker.msUntilHalfOpen());
  const token = service.takeActionToken();
  core.apply(service, "schedule-restart", reason);
  if (token !== service.actionToken || core.shuttingDown) return;
  core.emitHealing(service, "restart-scheduled", { attempt: step.attempt, tier: step.tier, reason, delayMs });
  if (delayMs === 0) return admitRestart(core, service, step, token);
  service.timers.arm("restart", core.clock, delayMs, () => admitRestart(core, service, step, token));
}

// healing.maxConcurrentRestarts: past the cap the restart waits in phase order, its reason says so.
function admitRestart(core: SupervisorCore, service: ServiceRuntime, step: LadderStep, token: number): void {
  if (!isStillDue(core, service, token)) return;
  const failure = service.lastReason;
  const run = () => {
    if (failure !== null) service.recordReason(failure);
    void runTier(core, service, step, token);
  };
  if (core.restarts.enter(service, () => isStillDue(core, service, token), run)) return;
  const wait = core.restarts.describeWait();
  service.recordReason(wait);
  core.emitHealing(service, "restart-queued", { attempt: step.attempt, tier: step.tier, reason: wait });
}

/** `policy: never` (or no way forward): record it and stop there. */
export function giveUp(core: SupervisorCore, service: ServiceRuntime, reason: string): void {
  service.timers.cancelAll();
  stopProbing(core, service);
  killChild(service);
  service.recordReason(reason);
  core.apply(service, "give-up", reason);
  core.emitHealing(service, "gave-up", { reason });
}

function quarantine(core: SupervisorCore, service: ServiceRuntime, step: LadderStep, reason: string): void {
  killChild(service);
  service.takeActionToken();
  core.apply(service, "quarantine", reason);
  core.emitHealing(service, "quarantined", {
    attempt: step.attempt,
    tier: "quarantine",
    reason: `no more automatic restarts after ${step.attempt - 1} attempts; last failure: ${reason}`,
  });
}

function isStillDue(core: SupervisorCore, service: ServiceRuntime, token: number): boolean {
  return token === service.actionToken && service.state === "backoff" && !core.shuttingDown;
}

async function runTier(core: SupervisorCore, service: ServiceRuntime, step: LadderStep, token: number): Promise<void> {
  if (!isStillDue(core, service, token)) return;
  let skipped: SkippedDependency[] = [];
  if (step.tier === "immediate") killChild(service);
  else {
    if (service.child) await stopChild(service);
    if (!isStillDue(core, service, token)) return;
    if (step.tier === "dependencies") skipped = await restartDependencies(core, service, () => isStillDue(core, service, token));
    if (!isStillDue(core, service, token)) return;
  }
  respawn(core, service, step, skipped);
}

// The "restarted" event comes with the spawn: at once, or once the port guard lets it start.
function respawn(core: SupervisorCore, service: ServiceRuntime, step: LadderStep, skipped: SkippedDependency[]): void {
  const reason = describeSkipped(service.lastReason ?? "restart", skipped);
  spawnService(core, service, "spawn", {
    reason: `restart attempt ${step.attempt} (${step.tier})`,
    restart: true,
    onSpawned: () => core.emitHealing(service, "restarted", { attempt: step.attempt, tier: step.tier, reason, ...(skipped.length > 0 ? { skipped } : {}) }),
  });
}
