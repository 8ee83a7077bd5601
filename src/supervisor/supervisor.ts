/**
 * The Supervisor: launches the fleet in phases, heals it, answers manual actions and shuts
 * it down. It talks only through ports (Spawner, Clock, Probe, EventSink); see SupervisorOptions.
 */
import type { ReloadDiff, ServiceAction } from "../contract/actions";
import type { Config } from "../contract/config";
import { buildLaunchPlan } from "../graph/build-launch-plan";
import { awaitsLaunch } from "../contract/state-classes";
import { SupervisorCore } from "./core";
import { ShuttingDownError, UnknownServiceError } from "./errors";
import { handleFailure } from "./healer";
import { Launcher, type LaunchResult } from "./launcher";
import { spawnService } from "./lifecycle";
import type { SupervisorOptions } from "./options";
import { MemoryWatch } from "./memory-watch";
import { PortGuard } from "./port-guard";
import { reconcile, settlementOf, type RolloutSettlement } from "./reconcile";
import { restartBatchSize, surges } from "../contract/update-policy";
import { expandReplicas, groupsOf } from "./replicas";
import { replaceWithSurge, waitForReady } from "./rollout";
import type { ServiceRuntime } from "./service-runtime";
import { snapshotService, snapshotSystem, type ServiceSnapshot, type SupervisorSnapshot } from "./snapshot";
import { stopAll, stopService } from "./stop";
import { InvalidTransitionError, canTransition } from "./transition";
import { createRuntime, wireDependencies } from "./wiring";

export class Supervisor {
  private readonly core: SupervisorCore;
  private readonly launcher: Launcher;
  private readonly ports: PortGuard;
  private readonly memory: MemoryWatch;
  private launchPromise: Promise<LaunchResult> | null = null;
  private shutdownPromise: Promise<void> | null = null;
  private aborting = false;
  private reconciling: Promise<unknown> = Promise.resolve();
  private reconcilesPending = 0;

  /** Throws GraphCycleError when the enabled services form a dependency cycle. */
  constructor(options: SupervisorOptions) {
    options = { ...options, config: expandReplicas(options.config) };
    const core = (this.core = new SupervisorCore(options));
    core.fail = (service, reason, how) => handleFailure(core, service, reason, how);
    const ports = (this.ports = new PortGuard(core));
    this.memory = new MemoryWatch(core);
    core.admit = (service, start) => ports.admit(service, start);
    const { config } = options;
    const plan = buildLaunchPlan(config);
    const byName = new Map(config.services.map((service) => [service.name, service]));
    plan.phases.flatMap((phase) => phase.steps.flat()).forEach((name, order) => core.add(createRuntime(core, byName.get(name)!, order)));
    wireDependencies(core, plan.graph.edges);
    this.launcher = new Launcher(core, ports, (service, reason) => this.abortLaunch(service, reason));
  }

  /** Launch every enabled service (SPEC §5). Resolves once, when the launch has ended; calling it again returns the same result. */
  start(): Promise<LaunchResult>;
  /** Start a stopped, failed, completed, blocked or quarantined service now (lifts quarantine). */
  start(name: string): ServiceAction;
  start(name?: string): Promise<LaunchResult> | ServiceAction {
    if (name !== undefined) return this.startService(name);
    if (this.launchPromise) return this.launchPromise;
    const { core } = this;
    core.beginLaunch();
    const first = core.ordered.filter((service) => service.config.phase === 0);
    const rest = core.ordered.filter((service) => service.config.phase !== 0);
    this.launchPromise = this.launcher.run(first, rest);
    return this.launchPromise;
  }

  /** Restart `name` now, whatever its state or ladder position; lifts quarantine and resets its breaker. */
  restart(name: string): ServiceAction {
    const group = this.members(name, "restart");
    if (group) return this.actOnGroup(name, "restart", group);
    const service = this.find(name, "restart");
    const from = service.state;
    if (from === "stopping") throw new InvalidTransitionError(from, "manual-start");
    this.core.emitHealing(service, "manual-restart", { tier: "manual", attempt: 0, reason: `manual restart (was ${from})` });
    // behind a proxy, a serving instance is replaced by a new one started beside it (SPEC §15)
    if (surges(service.config) && from === "healthy" && !service.retiring) {
      const done = replaceWithSurge(this.core, service, service.config, "manual restart").then(() => {});
      return { service: name, action: "restart", from, done };
    }
    this.takeOver(service);
    const needsStop = service.alive || !canTransition(from, "manual-start");
    const done = needsStop ? stopService(this.core, service, "manual restart").then(() => this.spawnManually(service, true)) : Promise.resolve(this.spawnManually(service, true));
    return { service: name, action: "restart", from, done };
  }

  /** Stop `name` (shutdown signal, then SIGKILL after its timeout); it stays stopped until started. */
  stop(name: string): ServiceAction {
    const group = this.members(name, "stop");
    if (group) return this.actOnGroup(name, "stop", group);
    const service = this.find(name, "stop");
    const from = service.state;
    if (from === "stopped") throw new InvalidTransitionError(from, "stop");
    this.launcher.forget(service);
    return { service: name, action: "stop", from, done: stopService(this.core, service, "manual stop") };
  }

  /** Stop everything in reverse dependency order; resolves when every service is down. */
  shutdown(): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    const { core } = this;
    core.shuttingDown = true;
    core.beginShutdown(["shutdown requested"]);
    this.ports.cancelAll();
    this.memory.cancelAll();
    this.shutdownPromise = stopAll(core, "orchestrator shutting down").then(() => core.finishShutdown([]));
    this.launcher.cancel(this.shutdownPromise.then(() => ({ outcome: "stopped" as const, reasons: ["shutdown requested"] })));
    return this.shutdownPromise;
  }

  /**
   * Apply `next`, an already validated config (a reload): start added services, stop removed
   * ones, restart changed ones, apply in-place changes, leave the rest alone (see ReloadDiff
   * and reconcile.ts). Resolves with the diff once removed and changed services are down and
   * the new records are handed to the launcher (it does not wait for them to become ready).
   * Reconciles run one at a time; one that arrives during the launch waits for it to end.
   * `next` may also be a function that reads the config when this reconcile's turn comes (a
   * reload reads its manifest only once the previous one is applied, so no edit is missed);
   * when it gives null nothing is applied and the promise resolves null.
   * Rejects with ShuttingDownError when the orchestrator is stopping.
   */
  reconcile(next: Config): Promise<ReloadDiff>;
  reconcile(next: () => Promise<Config | null>): Promise<ReloadDiff | null>;
  reconcile(next: Config | (() => Promise<Config | null>)): Promise<ReloadDiff | null> {
    const run = async (): Promise<ReloadDiff | null> => {
      if (this.launchPromise) await this.launchPromise;
      const config = typeof next === "function" ? await next() : next;
      if (config === null) return null;
      if (this.core.shuttingDown) throw new ShuttingDownError("reload", this.core.config.name);
      return reconcile(this.core, expandReplicas(config), this.launchPromise !== null);
    };
    this.reconcilesPending++;
    const result = this.reconciling.then(run).finally(() => this.reconcilesPending--);
    this.reconciling = result.catch(() => {});
    return result;
  }

  /**
   * Once every service `diff` changed is ready or was rolled back (SPEC §15 `reload?wait=true`):
   * which were which. A diff this supervisor did not make settles at once, with nothing in it.
   */
  settled(diff: ReloadDiff): Promise<RolloutSettlement> {
    return settlementOf(diff);
  }

  /** Whether a reconcile is queued or under way (a new one would wait for it). */
  get reconcilePending(): boolean {
    return this.reconcilesPending > 0;
  }

  /**
   * Report (or, with null, clear) a fleet-wide problem under `key`, e.g. `storage`: while one is
   * set the fleet is `degraded` and `reason` is listed in the status.
   */
  setCondition(key: string, reason: string | null): void {
    this.core.setCondition(key, reason);
  }

  /** Automatic restarts in flight, and those waiting for a slot (healing.maxConcurrentRestarts), by name. */
  get restartQueue(): { inFlight: string[]; queued: string[] } {
    return this.core.restarts.status;
  }

  /** The config now in effect (a reload replaces it). */
  get config(): Config {
    return this.core.config;
  }

  /** Everything the API shows, as plain data. */
  /** `history: false` leaves out each service's probe history (cheap enough for list endpoints). */
  snapshot(options: { history?: boolean } = {}): SupervisorSnapshot {
    const history = options.history ?? true;
    return { system: snapshotSystem(this.core), services: this.core.ordered.map((service) => snapshotService(this.core, service, history)) };
  }

  /** The system part of the snapshot alone. */
  system(): SupervisorSnapshot["system"] {
    return snapshotSystem(this.core);
  }

  /**
   * How far the launch has got without copying every service (what `/status` shows): the
   * highest phase of a service no longer waiting to be launched (-1 when none is), and the
   * number of enabled services.
   */
  launchProgress(): { phaseIndex: number; total: number } {
    let phaseIndex = -1;
    for (const service of this.core.ordered) {
      if (!awaitsLaunch(service.state) && service.config.phase > phaseIndex) phaseIndex = service.config.phase;
    }
    return { phaseIndex, total: this.core.ordered.length };
  }

  /** One service's snapshot; throws UnknownServiceError. */
  service(name: string): ServiceSnapshot {
    return snapshotService(this.core, this.find(name));
  }

  /** Enabled service names in launch order. */
  get names(): string[] {
    return this.core.ordered.map((service) => service.name);
  }

  /**
   * The routable instances of group `group` (SPEC §15): ready, not stopping, not being replaced,
   * with a port. What the proxy picks from for each new connection.
   */
  upstreams(group: string): { name: string; port: number }[] {
    const out: { name: string; port: number }[] = [];
    for (const service of this.core.ordered) {
      const { replica, port } = service.config;
      if (replica?.group === group && port !== undefined && service.state === "healthy" && !service.retiring) out.push({ name: service.name, port });
    }
    return out;
  }

  /** The groups of instances (replicated services), each with its instance names in index order. */
  get groups(): Map<string, string[]> {
    return groupsOf(this.core.ordered);
  }

  // The instance names of group `name`, or null when `name` is not a group.
  private members(name: string, action: string): string[] | null {
    if (this.core.services.has(name)) return null;
    const members = this.groups.get(name);
    if (!members) return null;
    if (this.core.shuttingDown) throw new ShuttingDownError(action, name);
    return members;
  }

  /**
   * `restart`, `stop` or `start` of every instance of a group, in index order, as \`update\` allows:
   * a batch of maxUnavailable (at least 1; one at a time when a proxy surges) at once, each batch
   * waiting for the previous one to be ready. A stop acts on all at once.
   */
  private actOnGroup(group: string, action: "restart" | "stop" | "start", members: string[]): ServiceAction {
    const first = this.core.services.get(members[0])!;
    const config = first.config;
    const from = first.state;
    const batch = action === "stop" ? members.length : restartBatchSize(config);
    // an instance that cannot take the action now (stopping, already running) is left as it is
    const actOn = async (name: string): Promise<void> => {
      const service = this.core.services.get(name);
      if (!service) return;
      if (action === "stop") return service.state === "stopped" ? undefined : this.stop(name).done;
      if (action === "start" && (service.alive || !canTransition(service.state, "manual-start"))) return;
      if (action === "restart" && service.state === "stopping") return;
      await (action === "restart" ? this.restart(name) : this.startService(name)).done;
      const current = this.core.services.get(name);
      if (current && !this.core.shuttingDown) await waitForReady(this.core, current);
    };
    const done = (async () => {
      for (let i = 0; i < members.length && !this.core.shuttingDown; i += batch) await Promise.all(members.slice(i, i + batch).map(actOn));
    })();
    return { service: group, action, from, done };
  }

  private startService(name: string): ServiceAction {
    const group = this.members(name, "start");
    if (group) return this.actOnGroup(name, "start", group);
    const service = this.find(name, "start");
    const from = service.state;
    if (service.alive || !canTransition(from, "manual-start")) throw new InvalidTransitionError(from, "manual-start");
    this.takeOver(service);
    this.spawnManually(service, false);
    return { service: name, action: "start", from, done: Promise.resolve() };
  }

  private takeOver(service: ServiceRuntime): void {
    this.launcher.forget(service);
    service.resetForManualStart();
  }

  private spawnManually(service: ServiceRuntime, isRestart: boolean): void {
    if (this.core.shuttingDown || !canTransition(service.state, "manual-start")) return;
    spawnService(this.core, service, "manual-start", { reason: isRestart ? "manual restart" : "manual start", restart: isRestart });
  }

  private find(name: string, action?: string): ServiceRuntime {
    const service = this.core.services.get(name);
    if (!service) throw new UnknownServiceError(name, this.names);
    if (action && this.core.shuttingDown) throw new ShuttingDownError(action, name);
    return service;
  }

  // Called from inside a state change: flag now, stop everything on the next microtask.
  private abortLaunch(service: ServiceRuntime, reason: string): void {
    if (this.aborting) return;
    this.aborting = true;
    const { core } = this;
    core.shuttingDown = true;
    this.ports.cancelAll();
    this.memory.cancelAll();
    const stopped = Promise.resolve().then(async () => {
      core.beginShutdown([reason]);
      await stopAll(core, "launch aborted");
      core.finishShutdown([reason]);
      return { outcome: "aborted" as const, reasons: [reason], service: service.name };
    });
    this.launcher.cancel(stopped);
    this.shutdownPromise = stopped.then(() => {});
  }
}
