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
import { surges } from "../contract/update-policy";
import { replaceWithSurge, waitForReady } from "./rollout";

/** Which services a reload changed became ready, and which were put back to their previous config (SPEC §15). */
export interface RolloutSettlement {
  ready: string[];
  rolledBack: string[];
}

const settlements = new WeakMap<ReloadDiff, Promise<RolloutSettlement>>();

/** The settlement of the reload that answered `diff`. */
export function settlementOf(diff: ReloadDiff): Promise<RolloutSettlement> {
  return settlements.get(diff) ?? Promise.resolve({ ready: [], rolledBack: [] });
}

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
  const all = diff.changed.map(({ name, fields }) => {
    const old = core.services.get(name)!;
    return { old, fields, wasStopped: old.state === "stopped", isRestart: old.state !== "stopped" && old.startedAt !== null };
  });
  for (const { old, fields, isRestart } of all) {
    if (isRestart) core.emitHealing(old, "manual-restart", { tier: "manual", attempt: 0, reason: `reload: changed ${fields.join(", ")}` });
  }
  // behind a proxy a serving instance is replaced beside itself, one at a time; the others stop first
  const surged = all.filter(({ old }) => old.state === "healthy" && surges(old.config) && surges(configs.get(old.name)!));
  const replaced = all.filter((entry) => !surged.includes(entry));
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
  const rollouts: Promise<[string, boolean]>[] = replaced
    .filter(({ wasStopped }) => !wasStopped)
    .map(({ old }) => watchForRollback(core, old.config, `reload: changed ${diff.changed.find((c) => c.name === old.name)!.fields.join(", ")}`).then((ok) => [old.name, ok]));
  for (const { old, fields } of surged) {
    if (core.shuttingDown) break;
    const outcome = await replaceWithSurge(core, old, configs.get(old.name)!, `reload: changed ${fields.join(", ")}`);
    if (outcome === "rolled-back") restoreConfig(core, old.config);
    rollouts.push(Promise.resolve([old.name, outcome === "replaced"]));
  }
  settlements.set(
    diff,
    Promise.all(rollouts).then((results) => ({ ready: results.filter(([, ok]) => ok).map(([n]) => n).sort(), rolledBack: results.filter(([, ok]) => !ok).map(([n]) => n).sort() })),
  );
  return diff;
}

/**
 * A service a reload restarted with a new config that does not become ready (not ready within
 * its startupTimeout, or failing first) is put back to `previous` (SPEC §15). True: it became ready.
 */
async function watchForRollback(core: SupervisorCore, previous: ServiceConfig, reason: string): Promise<boolean> {
  const fresh = core.services.get(previous.name);
  if (!fresh) return true;
  const outcome = await waitForReady(core, fresh, { deadline: false });
  if (outcome === "ready" || core.shuttingDown || core.services.get(previous.name) !== fresh || fresh.state === "stopped") return true;
  await retire(core, fresh, `rolled back: ${outcome}`);
  if (core.shuttingDown || core.services.get(previous.name) !== fresh) return false;
  restoreConfig(core, previous);
  const restored = replaceRuntime(core, fresh, previous, false, true);
  wireDependencies(core, buildLaunchPlan(core.config).graph.edges);
  core.emitHealing(restored, "rolled-back", { tier: "manual", attempt: 0, reason: `${reason}: the new config ${outcome}; restarted with the previous one` });
  core.refreshSystemState();
  core.requeue(restored);
  return false;
}

// The live config shows what runs: a rolled-back service's previous config again.
function restoreConfig(core: SupervisorCore, previous: ServiceConfig): void {
  core.config = { ...core.config, services: core.config.services.map((s) => (s.name === previous.name ? previous : s)) };
}

// The config objects differ even when equal: swap them so the live config is the one shown.
function applyInPlace(core: SupervisorCore, service: ServiceRuntime, config: ServiceConfig): void {
  const before = service.config.health;
  service.reconfigure(config, core.config.circuitBreaker);
  const after = config.health;
  if (!service.probing || (before.intervalMs === after.intervalMs && before.timeoutMs === after.timeoutMs)) return;
  stopProbing(core, service);
  startProbing(core, service, service.generation);
  if (service.state !== "starting") core.probeRunner.setMode?.(service.probeKey, "steady");
}

// Stop it; an operator may have started it again meanwhile, so stop until it stays down.
async function retire(core: SupervisorCore, service: ServiceRuntime, reason: string): Promise<void> {
  await stopService(core, service, reason);
  if (service.alive && !core.shuttingDown) await stopService(core, service, reason);
  service.timers.cancelAll();
  service.breaker.dispose();
}

// `isRestart`: it had run and was not stopped by the operator, so this counts as a restart.
function replaceRuntime(core: SupervisorCore, old: ServiceRuntime, config: ServiceConfig, wasStopped: boolean, isRestart: boolean): ServiceRuntime {
  const fresh = createRuntime(core, config, old.order);
  fresh.inheritRestarts(old, isRestart);
  core.remove(old);
  core.add(fresh);
  if (wasStopped) core.apply(fresh, "stop", "stopped before the reload; start it to run the new configuration");
  return fresh;
}

// New records, and waiting ones whose dependencies may have changed, go (back) to the launcher.
function releaseWaiting(core: SupervisorCore): void {
  for (const service of [...core.ordered]) {
    if (service.state === "degraded" && !hasTrippedUpstream(service)) restoreService(core, service);
    else if (awaitsLaunch(service.state)) core.requeue(service);
  }
}
