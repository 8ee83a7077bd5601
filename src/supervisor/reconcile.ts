/**
 * A reload applied to a running supervisor. Stops come first, starts after: a removed or
 * changed service's process is down (shutdown.signal, then SIGKILL after its timeout) before
 * anything new starts, so a port handed from one service to another is free again.
 * - kept (unchanged or updated): the same record and process; its config is swapped in place.
 * - removed: stopped gracefully with its old config, then dropped from the snapshot.
 * - changed: stopped gracefully with its old config, then replaced by a fresh record (new
 *   ladder, breaker and probe history, `restarts` carried over plus one) that the launcher
 *   starts once its dependencies meet their condition. One the operator had stopped stays stopped.
 * - added: a fresh record the launcher starts once its dependencies allow (blocked otherwise).
 * Dependency links are rebuilt from the new graph, so an edge to a removed service is dropped
 * (its dependent keeps running) and an edge to an added one appears.
 */
import { buildLaunchPlan } from "../graph/build-launch-plan";
import type { Config, ServiceConfig } from "../contract/config";
import type { ReloadDiff } from "../contract/actions";
import { awaitsLaunch } from "../contract/state-classes";
import { diffConfigs, mergeLiveConfig } from "./config-diff";
import type { SupervisorCore } from "./core";
import { hasTrippedUpstream, restoreService } from "./degradation";
import { startProbing, stopProbing } from "./lifecycle";
import type { ServiceRuntime } from "./service-runtime";
import { stopService } from "./stop";
import { createRuntime, wireDependencies } from "./wiring";

/**
 * Reconcile `core` with `next` (validated, so it has no cycle). `launched`: the launch has
 * begun, so new records go to the launcher; before it, `start()` launches them with the rest.
 */
export async function reconcile(core: SupervisorCore, next: Config, launched: boolean): Promise<ReloadDiff> {
  const diff = diffConfigs(core.config, next);
  const live = mergeLiveConfig(core.config, next);
  const plan = buildLaunchPlan(live);
  const order = new Map(plan.phases.flatMap((phase) => phase.steps.flat()).map((name, index) => [name, index]));
  const configs = new Map(live.services.map((service) => [service.name, service]));
  core.config = live;

  for (const name of [...diff.unchanged, ...diff.updated.map((u) => u.name)]) applyInPlace(core, core.services.get(name)!, configs.get(name)!);
  for (const name of diff.added) core.add(createRuntime(core, configs.get(name)!, order.get(name)!));
  wireDependencies(core, plan.graph.edges);

  const removed = diff.removed.map((name) => core.services.get(name)!);
  const replaced = diff.changed.map(({ name, fields }) => {
    const old = core.services.get(name)!;
    return { old, fields, wasStopped: old.state === "stopped", isRestart: old.state !== "stopped" && old.startedAt !== null };
  });
  for (const { old, fields, isRestart } of replaced) {
    if (isRestart) core.emitHealing(old, "manual-restart", { tier: "manual", attempt: 0, reason: `reload: changed ${fields.join(", ")}` });
  }
  await Promise.all([
    ...removed.map((service) => retire(core, service, "removed by reload")),
    ...replaced.map(({ old, fields }) => retire(core, old, `reload: changed ${fields.join(", ")}`)),
  ]);
  if (core.shuttingDown) return diff;

  for (const service of removed) core.remove(service);
  for (const { old, wasStopped, isRestart } of replaced) replaceRuntime(core, old, configs.get(old.name)!, wasStopped, isRestart);
  wireDependencies(core, plan.graph.edges);
  for (const service of core.ordered) service.placeAt(order.get(service.name)!);
  core.ordered.sort((a, b) => a.order - b.order);
  core.refreshSystemState();
  if (launched) releaseWaiting(core);
  return diff;
}

// The config objects differ even when equal: swap them so the live config is the one shown.
function applyInPlace(core: SupervisorCore, service: ServiceRuntime, config: ServiceConfig): void {
  const before = service.config.health;
  service.reconfigure(config, core.config.circuitBreaker);
  const after = config.health;
  if (!service.probing || (before.intervalMs === after.intervalMs && before.timeoutMs === after.timeoutMs)) return;
  stopProbing(core, service);
  startProbing(core, service, service.generation);
  if (service.state !== "starting") core.probeRunner.setMode?.(service.name, "steady");
}

// Stop it; an operator may have started it again meanwhile, so stop until it stays down.
async function retire(core: SupervisorCore, service: ServiceRuntime, reason: string): Promise<void> {
  await stopService(core, service, reason);
  if (service.alive && !core.shuttingDown) await stopService(core, service, reason);
  service.timers.cancelAll();
  service.breaker.dispose();
}

// `isRestart`: it had run and was not stopped by the operator, so this counts as a restart.
function replaceRuntime(core: SupervisorCore, old: ServiceRuntime, config: ServiceConfig, wasStopped: boolean, isRestart: boolean): void {
  const fresh = createRuntime(core, config, old.order);
  fresh.inheritRestarts(old, isRestart);
  core.remove(old);
  core.add(fresh);
  if (wasStopped) core.apply(fresh, "stop", "stopped before the reload; start it to run the new configuration");
}

// New records, and waiting ones whose dependencies may have changed, go (back) to the launcher.
function releaseWaiting(core: SupervisorCore): void {
  for (const service of [...core.ordered]) {
    if (service.state === "degraded" && !hasTrippedUpstream(service)) restoreService(core, service);
    else if (awaitsLaunch(service.state)) core.requeue(service);
  }
}
