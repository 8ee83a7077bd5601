/**
 * Zero-downtime replacement of one instance (SPEC §15): with a proxy and `maxSurge`, a new
 * record for the same instance (same name) starts on a spare port beside the old one. Once it is
 * ready the old one is marked retiring (the proxy sends it no new connections), drains and
 * stops. Not ready within its startupTimeout, or failing first: the new record is stopped and
 * dropped, the old one never stopped serving, and a `rolled-back` healing event says so.
 */
import { buildLaunchPlan } from "../graph/build-launch-plan";
import type { ServiceConfig } from "../contract/config";
import type { SupervisorCore } from "./core";
import { spawnService } from "./lifecycle";
import { movePort } from "./replicas";
import type { ServiceRuntime } from "./service-runtime";
import { stopService } from "./stop";
import { createRuntime, wireDependencies } from "./wiring";

/** replaced: the new record serves; rolled-back: the old one still does; cancelled: the orchestrator is shutting down. */
export type RolloutOutcome = "replaced" | "rolled-back" | "cancelled";

let surges = 0;

/** Replace `old` by a record running `config` on a spare port, without a moment where neither serves. */
export async function replaceWithSurge(core: SupervisorCore, old: ServiceRuntime, config: ServiceConfig, reason: string): Promise<RolloutOutcome> {
  const port = pickSparePort(core, config);
  if (port === null) return "rolled-back";
  const fresh = createRuntime(core, movePort(config, port), old.order);
  fresh.probeKey = `${old.name}\u0000surge${++surges}`;
  fresh.inheritRestarts(old, false);
  core.add(fresh); // the name now finds the new record; links stay on the old one until it is ready
  const outcome = await startAndWait(core, fresh, reason);
  if (outcome !== "ready" || core.shuttingDown) {
    await retire(core, fresh, core.shuttingDown ? "orchestrator shutting down" : `rolled back: ${outcome}`);
    core.remove(fresh);
    core.reinstate(old);
    core.refreshSystemState();
    if (core.shuttingDown) return "cancelled";
    core.emitHealing(old, "rolled-back", { tier: "manual", attempt: 0, reason: `${reason}: the replacement on port ${port} ${outcome}; the running instance (port ${old.config.port}) kept serving` });
    return "rolled-back";
  }
  old.retiring = true;
  rewire(core);
  await retire(core, old, `${reason}: replaced by the instance on port ${port}`);
  core.remove(old);
  core.refreshSystemState();
  return "replaced";
}

/** Wait for `service` to settle after a start: ready, or how it failed. */
/** `deadline`: give up after startupTimeout (and a second) even while it waits to start (pending, blocked). */
export function waitForReady(core: SupervisorCore, service: ServiceRuntime, options: { deadline?: boolean } = {}): Promise<"ready" | string> {
  if (service.state === "healthy") return Promise.resolve("ready");
  return new Promise((resolve) => {
    const expire = () => {
      service.waiters.remove(waiter);
      resolve(`was not ready within ${service.config.startupTimeoutMs}ms (${service.state})`);
    };
    const deadline = options.deadline === false ? null : core.clock.setTimeout(expire, service.config.startupTimeoutMs + 1000);
    const waiter = (state: string): boolean => {
      if (state === "pending" || state === "starting" || state === "blocked") return false;
      deadline?.cancel();
      resolve(state === "healthy" ? "ready" : `failed to start (${state}${service.lastReason ? `: ${service.lastReason}` : ""})`);
      return true;
    };
    service.waiters.add(waiter);
  });
}

function startAndWait(core: SupervisorCore, fresh: ServiceRuntime, reason: string): Promise<"ready" | string> {
  const settled = waitForReady(core, fresh);
  spawnService(core, fresh, "spawn", { reason, restart: true });
  return settled;
}

// Stopped and done with: no timer or breaker of it may act later.
async function retire(core: SupervisorCore, service: ServiceRuntime, reason: string): Promise<void> {
  await stopService(core, service, reason);
  service.timers.cancelAll();
  service.breaker.dispose();
}

function rewire(core: SupervisorCore): void {
  wireDependencies(core, buildLaunchPlan(core.config).graph.edges);
}

/** The lowest port from `port + replicas` upward that no record of this fleet uses and nothing listens on (SPEC §15). */
export function pickSparePort(core: SupervisorCore, config: ServiceConfig): number | null {
  const base = (config.replica?.basePort ?? config.port ?? 0) + (config.replicas ?? 1);
  const used = new Set<number>();
  for (const service of core.ordered) {
    if (service.config.port !== undefined) used.add(service.config.port);
    if (service.config.proxy) used.add(service.config.proxy.port);
  }
  used.add(core.config.api.port);
  for (let port = base; port <= 65535; port++) if (!used.has(port) && !core.host.isListening(port)) return port;
  return null;
}
