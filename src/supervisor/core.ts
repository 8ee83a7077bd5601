/**
 * Shared state of one Supervisor: the service records, the ports, and the only two places
 * state changes: `apply` for a service and `moveSystem` for the orchestrator, each through
 * its pure transition table, each emitting its event (`service`, `status`).
 */
import type { Config } from "../contract/config";
import type { FailureCause, HealingAction, HealingRecord, HealingTier, SkippedDependency, StateChange } from "../contract/events";
import type { LogLine } from "../contract/output";
import { isSettled } from "../contract/state-classes";
import { SERVICE_STATES, type ServiceState, type SystemState } from "../contract/states";
import { transitionSystem, type SystemEvent } from "../contract/system-transition";
import type { EventSink } from "../events/sink";
import { ProbeScheduler } from "../health/scheduler";
import type { Clock } from "../lib/clock";
import { BLIND_HOST, type HostView } from "../process/host-view";
import type { Exit, Spawner } from "../process/spawner";
import type { RandomSource } from "./backoff";
import type { ReadTextFile } from "./env";
import type { LadderTier } from "./ladder";
import type { ProbeRunner, SupervisorOptions } from "./options";
import { IncidentTracker } from "./incidents";
import { RestartGate } from "./restart-gate";
import type { ServiceRuntime } from "./service-runtime";
import { transition, type ServiceEvent } from "./transition";

/** How a failure is to be handled, beyond the restart policy: its lowest tier, or no restart at all. */
export interface FailureHow {
  /** The lowest tier it is handled at (memory: graceful, so a live process gets its shutdown signal). */
  floor?: LadderTier;
  /** A restart would fail the same way (a daemonizing starter): record it and stop there. */
  final?: boolean;
  /** What the failure was, for its `detected` event (and the alerts that follow it). */
  cause?: FailureCause;
  /** The exit, when the failure is one: its code or signal go with the `detected` event. */
  exit?: Exit;
}

export type StateListener = (service: ServiceRuntime, from: ServiceState, to: ServiceState) => void;

export class SupervisorCore {
  readonly services = new Map<string, ServiceRuntime>();
  /** Enabled services in launch order. */
  readonly ordered: ServiceRuntime[] = [];
  readonly counts = Object.fromEntries(SERVICE_STATES.map((s) => [s, 0])) as Record<ServiceState, number>;
  /** The running config; a reload replaces it (see reconcile.ts). */
  config: Config;
  readonly spawner: Spawner;
  readonly clock: Clock;
  readonly sink: EventSink;
  readonly random: RandomSource;
  readonly processEnv: Record<string, string | undefined>;
  readonly readTextFile: ReadTextFile;
  readonly probeRunner: ProbeRunner;
  readonly noProbeReadyMs: number;
  readonly host: HostView;
  readonly options: SupervisorOptions;
  /** Changed only by moveSystem; read by the snapshot. */
  systemState: SystemState = "starting";
  systemStartedAt: number | null = null;
  systemReasons: string[] = [];
  /** True once the launch has ended: from then on the system state follows the services. */
  tracking = false;
  shuttingDown = false;
  /** Hands a service back to the launcher to start once its dependencies allow (set by the Launcher). */
  requeue: (service: ServiceRuntime) => void = () => {};
  /**
   * Hands a failure to the healing ladder (set by the Supervisor to healer.ts's handleFailure):
   * lifecycle reports through it, so the lifecycle and the healer, which restarts through the
   * lifecycle, do not import each other.
   */
  fail: (service: ServiceRuntime, reason: string, how?: FailureHow) => void = () => {};
  /**
   * Whether `service` may start now; when not, `start` runs once it may (set by the Supervisor
   * to the port guard, port-guard.ts, which lifecycle asks before every spawn).
   */
  admit: (service: ServiceRuntime, start: () => void) => boolean = () => true;
  /** healing.maxConcurrentRestarts: automatic restarts past the cap wait here (see healer.ts). */
  readonly restarts = new RestartGate(() => this.config.healing?.maxConcurrentRestarts ?? null);
  /** healing.incident: groups failures of several services (the healer reports each). */
  readonly incidents: IncidentTracker;
  private problems = 0;
  /** Fleet-wide problems not owned by one service (storage failing...), by key; each makes the system degraded. */
  private readonly conditions = new Map<string, string>();
  private readonly listeners: StateListener[] = [];

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.config = options.config;
    this.spawner = options.spawner;
    this.clock = options.clock;
    this.sink = options.sink;
    this.random = options.random ?? Math.random;
    this.processEnv = options.processEnv ?? {};
    this.readTextFile = options.readTextFile ?? (() => undefined);
    this.probeRunner = options.probeRunner ?? new ProbeScheduler(options.clock);
    this.noProbeReadyMs = options.noProbeReadyMs ?? 1000;
    this.host = options.host ?? BLIND_HOST;
    this.incidents = new IncidentTracker({ clock: this.clock, sink: this.sink, healing: () => this.config.healing });
    this.onStateChange((service, from, to) => this.restarts.observe(service, from, to));
  }

  add(service: ServiceRuntime): void {
    this.services.set(service.name, service);
    this.ordered.push(service);
    this.counts[service.state]++;
    if (!isSettled(service.state)) this.problems++;
  }

  /** Take `service` out (a reload removed or replaced it); its state leaves the counts with it. */
  remove(service: ServiceRuntime): void {
    if (this.services.get(service.name) === service) this.services.delete(service.name);
    this.restarts.forget(service);
    const index = this.ordered.indexOf(service);
    if (index < 0) return;
    this.ordered.splice(index, 1);
    this.counts[service.state]--;
    if (!isSettled(service.state)) this.problems--;
  }

  /** Make `service`, still in the records, the one its name finds again (a replacement beside it was dropped: rollout.ts). */
  reinstate(service: ServiceRuntime): void {
    if (this.ordered.includes(service)) this.services.set(service.name, service);
  }

  /** Re-judge the system state after services were added or removed without a transition. */
  refreshSystemState(): void {
    if (this.tracking) this.followServices();
  }

  onStateChange(listener: StateListener): void {
    this.listeners.push(listener);
  }

  /** Move `service` through the table; a self-loop changes nothing and emits nothing. */
  apply(service: ServiceRuntime, event: ServiceEvent, reason?: string): ServiceState {
    const from = service.state;
    const to = transition(from, event);
    if (to === from) return to;
    service.enterState(to);
    this.counts[from]--;
    this.counts[to]++;
    this.problems += (isSettled(from) ? 1 : 0) - (isSettled(to) ? 1 : 0);
    const payload: StateChange = { name: service.name, from, to };
    if (service.child && service.child.pid > 0) payload.pid = service.child.pid;
    if (reason) payload.reason = reason;
    this.sink.emit({ type: "service", payload });
    service.waiters.notify(to);
    for (const listener of this.listeners) listener(service, from, to);
    if (this.tracking) this.followServices();
    return to;
  }

  emitHealing(
    service: ServiceRuntime,
    action: HealingAction,
    fields: { attempt?: number; tier?: HealingTier; reason: string; delayMs?: number; skipped?: SkippedDependency[]; cause?: FailureCause; exit?: Exit; context?: LogLine[] },
  ): void {
    const payload: HealingRecord = { service: service.name, action, attempt: fields.attempt ?? service.ladder.attempt, reason: fields.reason, ts: this.clock.now() };
    if (fields.tier) payload.tier = fields.tier;
    if (fields.delayMs !== undefined) payload.delayMs = fields.delayMs;
    if (fields.skipped) payload.skipped = fields.skipped;
    if (fields.cause) payload.cause = fields.cause;
    if (fields.exit?.code != null) payload.exitCode = fields.exit.code;
    if (fields.exit?.signal) payload.signal = fields.exit.signal;
    if (fields.context) payload.context = fields.context;
    this.sink.emit({ type: "healing", payload });
  }

  /** `start()`: the launch begins now (a launch asked for once shutdown began changes nothing). */
  beginLaunch(): void {
    this.systemStartedAt = this.clock.now();
    this.moveSystem("launch", this.systemReasons);
  }

  /**
   * Every service has settled: the system is ready or degraded, and from now on follows the
   * services. Once shutdown has begun (a stop settles the last service) it stays stopping.
   */
  finishLaunch(): { outcome: "ready" | "degraded"; reasons: string[] } {
    const reasons = this.collectReasons();
    if (!this.shuttingDown) {
      this.tracking = true;
      this.moveSystem(reasons.length === 0 ? "all-well" : "trouble", reasons);
    }
    return { outcome: reasons.length === 0 ? "ready" : "degraded", reasons };
  }

  /** Shutdown requested or the launch aborted, for `reasons`; the caller has set `shuttingDown`. */
  beginShutdown(reasons: string[]): void {
    this.moveSystem("shutdown", reasons);
  }

  /** Every service is down. */
  finishShutdown(reasons: string[]): void {
    this.moveSystem("stopped", reasons);
  }

  /**
   * Set (or, with null, clear) a fleet-wide condition such as "storage is failing". While any
   * is set, a launched fleet is `degraded` and the reason is listed in the status.
   */
  setCondition(key: string, reason: string | null): void {
    if (reason === null ? !this.conditions.delete(key) : this.conditions.get(key) === reason) return;
    if (reason !== null) this.conditions.set(key, reason);
    if (this.shuttingDown || !this.tracking) return;
    const verdict = this.judgeFleet();
    this.moveSystem(verdict, verdict === "all-well" ? [] : this.collectReasons());
  }

  /** The reasons of the conditions set now. */
  conditionReasons(): string[] {
    return [...this.conditions.values()];
  }

  /** Why the system is not ready: the fleet-wide conditions, then one line per service that is not healthy, completed or stopped. */
  collectReasons(): string[] {
    const reasons: string[] = this.conditionReasons();
    for (const service of this.ordered) {
      if (isSettled(service.state)) continue;
      reasons.push(service.lastReason ? `${service.name} is ${service.state}: ${service.lastReason}` : `${service.name} is ${service.state}`);
    }
    return reasons;
  }

  // O(1) unless the verdict flips; only then are the reasons listed.
  private followServices(): void {
    if (this.shuttingDown) return;
    const verdict = this.judgeFleet();
    if (transitionSystem(this.systemState, verdict) !== this.systemState) this.moveSystem(verdict, verdict === "all-well" ? [] : this.collectReasons());
  }

  private judgeFleet(): "all-well" | "trouble" {
    return this.problems === 0 && this.conditions.size === 0 ? "all-well" : "trouble";
  }

  /** The only place the system state changes: through the table; a `status` event when the state or its reasons change. */
  private moveSystem(event: SystemEvent, reasons: string[]): void {
    const state = transitionSystem(this.systemState, event);
    const same = state === this.systemState && reasons.join("\n") === this.systemReasons.join("\n");
    this.systemState = state;
    this.systemReasons = reasons;
    if (!same) this.sink.emit({ type: "status", payload: { state, reasons } });
  }
}
