/**
 * One process's life: spawn it, notice its exit (from `exited`, never by polling), feed it
 * probe results, declare it ready. Failures are handed to the healer.
 */
import type { ProbeOutcome } from "../contract/events";
import type { ProbeResult } from "../contract/service-view";
import { isRunning } from "../contract/state-classes";
import { createFailedChild } from "../process/exits";
import type { ChildHandle, Exit, SpawnSpec } from "../process/spawner";
import type { SupervisorCore } from "./core";
import { findDaemonEvidence, mayBeDaemon } from "./daemon-check";
import { buildServiceEnv, runAsOf, secretsOf } from "./env";
import { describeExit, judgeExit } from "./policy";
import { beginSignals, handleNotify, notifyChannelOf, startReadyProbe, stopReadyProbe, watchReadyLine } from "./ready-signals";
import type { ServiceRuntime } from "./service-runtime";

export interface SpawnHow {
  reason?: string;
  /** Count it in `restarts` (the launch's first spawn does not). */
  restart?: boolean;
  /** Runs once the process is spawned: now, or when the port guard lets it start. */
  onSpawned?: () => void;
}

/**
 * Spawn `service` and move it to `starting` (from pending/backoff with `spawn`, else
 * `manual-start`). Returns false when the port guard holds the start back (its port is
 * taken): the spawn then happens once the port is free, unless something else happened first.
 */
export function spawnService(core: SupervisorCore, service: ServiceRuntime, event: "spawn" | "manual-start", how: SpawnHow = {}): boolean {
  service.timers.cancelAll();
  stopProbing(core, service);
  if (!core.admit(service, () => void spawnService(core, service, event, how))) return false;
  service.tail.clear();
  // the spawn's callbacks may run before beginSpawn returns (a fake child, an early line): they ask for the generation then
  let generation = -1;
  const child = launchChild(core, service, () => generation);
  generation = service.beginSpawn(child, core.clock.now(), how.restart ?? false);
  core.apply(service, event, how.reason);
  beginSignals(core, service);
  void child.exited.then((exit) => handleExit(core, service, generation, exit));
  armStartupTimer(core, service);
  // a pidFile daemon is probed once its pid is known, so `healthy` names the daemon, not its starter
  if (child.started) void child.started.then(() => service.generation === generation && beginReadinessCheck(core, service, generation));
  else beginReadinessCheck(core, service, generation);
  how.onSpawned?.();
  return true;
}

/** A service still `starting` after `startupTimeoutMs` has failed to start. */
export function armStartupTimer(core: SupervisorCore, service: ServiceRuntime): void {
  const generation = service.generation;
  service.timers.arm("startup", core.clock, service.config.startupTimeoutMs, () => handleStartupTimeout(core, service, generation));
}

function launchChild(core: SupervisorCore, service: ServiceRuntime, generation: () => number): ChildHandle {
  const { name, command, cwd } = service.config;
  let env: Record<string, string>;
  try {
    env = service.ensureEnv(() => buildServiceEnv(service.config, core.processEnv, core.readTextFile, secretsOf(core.config)));
  } catch (error) {
    return createFailedChild(error instanceof Error ? error.message : String(error));
  }
  const onOutput = core.options.onOutput;
  const { pidFile, startupTimeoutMs, ready } = service.config;
  const spec: SpawnSpec = { name, command, cwd, env, runAs: runAsOf(service.config), ...(pidFile === undefined ? {} : { pidFile: { path: pidFile, timeoutMs: startupTimeoutMs } }) };
  const notify = notifyChannelOf(ready);
  if (notify) spec.notify = notify;
  const watchLines = ready?.kind === "log";
  return core.spawner.spawn(
    spec,
    (stream, line) => {
      service.tail.push(core.clock.now(), stream, line);
      onOutput?.(name, stream, line);
      if (watchLines) watchReadyLine(core, service, generation(), line, markReady);
    },
    (fields) => {
      // STOPPING=1: it is shutting down by itself, so its liveness probe failing now means nothing
      if (handleNotify(core, service, generation(), fields, markReady) && fields.STOPPING === "1") stopProbing(core, service);
    },
  );
}

/**
 * With `ready` (SPEC §14), wait for its signal (a readiness probe starts now); else probe it,
 * or, without a probe, call it ready once it has run `noProbeReadyMs`.
 */
export function beginReadinessCheck(core: SupervisorCore, service: ServiceRuntime, generation: number): void {
  if (service.config.ready) return startReadyProbe(core, service, generation, markReady);
  if (service.probe) {
    if (service.probing) core.probeRunner.setMode?.(service.probeKey, "startup");
    else startProbing(core, service, generation);
    return;
  }
  service.timers.arm("ready", core.clock, core.noProbeReadyMs, () => {
    if (service.generation === generation && service.state === "starting") markReady(core, service, `ran ${core.noProbeReadyMs}ms`);
  });
}

export function startProbing(core: SupervisorCore, service: ServiceRuntime, generation: number): void {
  if (!service.probe || !service.beginProbing()) return;
  const { intervalMs, timeoutMs } = service.config.health;
  core.probeRunner.start(service.probeKey, service.probe, { intervalMs, timeoutMs }, (result) => handleProbeResult(core, service, generation, result));
}

/** Stops the liveness probe, and the readiness probe with it. */
export function stopProbing(core: SupervisorCore, service: ServiceRuntime): void {
  stopReadyProbe(core, service);
  if (service.endProbing()) core.probeRunner.stop(service.probeKey);
}

function handleExit(core: SupervisorCore, service: ServiceRuntime, generation: number, exit: Exit): void {
  if (generation !== service.generation) return; // killed on purpose or already replaced
  service.releaseChild();
  stopProbing(core, service);
  // In backoff the old process may die while the restart waits: the restart still comes.
  if (service.state === "stopping" || service.state === "backoff") return;
  service.timers.cancelAll();
  const reason = describeExit(exit);
  service.recordReason(reason);
  if (service.state === "degraded") {
    core.apply(service, judgeExit(service.config, exit) === "complete" ? "complete" : "exited", reason);
    return;
  }
  if (!isRunning(service.state)) return;
  const startedAt = service.startedAt;
  if (mayBeDaemon(core, service, exit, startedAt)) return void judgeDaemonExit(core, service, exit, reason, core.clock.now() - startedAt!);
  settleExit(core, service, exit, reason);
}

// "give-up" (policy never) is still a failure to record: the healer stops there.
function settleExit(core: SupervisorCore, service: ServiceRuntime, exit: Exit, reason: string): void {
  if (judgeExit(service.config, exit) === "complete") core.apply(service, "complete", reason);
  else core.fail(service, reason, { cause: "exit", exit });
}

// A quick clean exit: daemonized (a failure not worth retrying), or a one-shot after all.
async function judgeDaemonExit(core: SupervisorCore, service: ServiceRuntime, exit: Exit, reason: string, ranMs: number): Promise<void> {
  const { state, actionToken, generation } = service;
  const daemonized = await findDaemonEvidence(core, service, exit, ranMs);
  if (service.state !== state || service.actionToken !== actionToken || service.generation !== generation || core.shuttingDown) return;
  if (daemonized) core.fail(service, daemonized, { final: true, cause: "daemon", exit });
  else settleExit(core, service, exit, reason);
}

function handleStartupTimeout(core: SupervisorCore, service: ServiceRuntime, generation: number): void {
  if (generation !== service.generation || service.state !== "starting") return;
  core.fail(service, `not ready within ${service.config.startupTimeoutMs}ms`, { cause: "startup" });
}

function handleProbeResult(core: SupervisorCore, service: ServiceRuntime, generation: number, result: ProbeResult): void {
  if (generation !== service.generation || !service.probing) return;
  if (service.health.record(result)) emitHealth(core, service, result);
  if (result.ok) {
    if (service.state === "starting") markReady(core, service);
    else if (service.state === "unhealthy") {
      core.apply(service, "probe-passed");
      service.ladder.markHealthy();
    }
    return;
  }
  const failures = service.health.failures;
  if (failures !== service.config.health.failureThreshold) return;
  const reason = `unhealthy: ${failures} consecutive probe failures (${result.error ?? "failed"})`;
  if (service.state === "degraded") {
    // The cause is upstream: record it, spend no restart attempt.
    service.recordReason(reason);
    core.apply(service, "probe-failed-threshold", reason);
  } else if (service.state === "healthy") {
    core.apply(service, "probe-failed-threshold", reason);
    service.ladder.markUnhealthy();
    core.fail(service, reason, { cause: "unhealthy" });
  }
}

// Only when the status changed: the health event reports passing to failing and back, not every probe.
function emitHealth(core: SupervisorCore, service: ServiceRuntime, result: ProbeResult): void {
  const payload: ProbeOutcome = { name: service.name, ok: result.ok, status: result.ok ? "healthy" : "unhealthy", latencyMs: result.latencyMs };
  if (result.endpoint) payload.endpoint = result.endpoint;
  if (result.error) payload.error = result.error;
  core.sink.emit({ type: "health", payload });
}

/**
 * First probe pass (or the no-probe grace period, or the `ready` signal named by `signal`):
 * `starting` → `healthy`. With `ready`, the liveness probe (`health`) starts now.
 */
export function markReady(core: SupervisorCore, service: ServiceRuntime, signal = "health probe passed"): void {
  service.recordReady();
  service.readiness.markReady(signal, core.clock.now());
  if (service.config.ready) {
    stopReadyProbe(core, service);
    if (service.probe) startProbing(core, service, service.generation);
  }
  if (!service.probe) {
    const result = { ok: true, latencyMs: 0, checkedAt: core.clock.now() };
    if (service.health.show(result)) emitHealth(core, service, result);
  }
  const recovering = service.ladder.attempt > 0;
  core.apply(service, "ready");
  service.ladder.markHealthy();
  if (recovering) core.emitHealing(service, "recovered", { reason: "ready again" });
  service.breaker.recordSuccess();
  core.probeRunner.setMode?.(service.probeKey, "steady");
}

/** SIGKILL the group now; its exit is ignored (the caller already decided what comes next). */
export function killChild(service: ServiceRuntime): void {
  service.disownChild()?.kill();
}

/** Stop gracefully with the service's shutdown command or signal, and timeout; its exit is ignored. */
export async function stopChild(service: ServiceRuntime): Promise<void> {
  const child = service.disownChild();
  if (!child) return;
  const { signal, timeoutMs, command } = service.config.shutdown;
  await child.stop(signal, timeoutMs, command);
}
