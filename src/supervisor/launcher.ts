/**
 * The launch (SPEC §5). Phase 0 goes one service at a time, each until ready (or up to
 * `launch.criticalConcurrency` at once, still in dependency order); then every later
 * service joins one queue in (phase, dependency) order and starts as soon as its own
 * dependencies meet their condition and fewer than `launch.concurrency` are starting.
 * The queue outlives the launch: blocked and degraded services wait in it until released.
 */
import { awaitsLaunch, hasGivenUp, isDown, isReady } from "../contract/state-classes";
import type { ServiceState } from "../contract/states";
import type { Timer } from "../lib/clock";
import type { SupervisorCore } from "./core";
import { spawnService } from "./lifecycle";
import type { PortGuard } from "./port-guard";
import { judgeDependencies } from "./readiness";
import type { ServiceRuntime } from "./service-runtime";

export type LaunchOutcome = "ready" | "degraded" | "aborted" | "stopped";

/** What `Supervisor.start()` resolves with; `aborted` means a critical service could not start (exit 1). */
export interface LaunchResult {
  outcome: LaunchOutcome;
  reasons: string[];
  /** The critical service that aborted the launch. */
  service?: string;
}

/** Waits in the queue: not launched yet, or degraded (held back while an upstream breaker is open; the pump skips one still running). */
const isQueued = (state: ServiceState): boolean => awaitsLaunch(state) || state === "degraded";

export class Launcher {
  private queue: ServiceRuntime[] = [];
  private readonly launching = new Set<ServiceRuntime>();
  private readonly deadlines = new Map<ServiceRuntime, Timer>();
  private concurrency = 1;
  private stage: "idle" | "critical" | "rest" | "done" = "idle";
  private later: ServiceRuntime[] = [];
  /** Phase-0 services not yet settled: the later phases wait for this to reach 0. */
  private firstLeft = 0;
  private unsettled = 0;
  private pumping = false;
  private dirty = false;
  private finishLaunch: (result: LaunchResult) => void = () => {};

  constructor(
    private readonly core: SupervisorCore,
    /** A service whose start waits for its port is the guard's until the port is free. */
    private readonly ports: Pick<PortGuard, "isWaiting">,
    /** Called when a critical service cannot start; must stop everything and report. */
    private readonly abort: (service: ServiceRuntime, reason: string) => void,
  ) {
    core.onStateChange((service, _from, to) => this.observe(service, to));
    core.requeue = (service) => this.enqueue(service);
  }

  get active(): boolean {
    return this.stage === "critical" || this.stage === "rest";
  }

  /** Launch `first` (phase 0, serially) then `rest`; resolves when every service has settled. */
  run(first: ServiceRuntime[], rest: ServiceRuntime[]): Promise<LaunchResult> {
    const done = new Promise<LaunchResult>((resolve) => (this.finishLaunch = resolve));
    this.unsettled = first.length + rest.length;
    this.later = rest;
    this.firstLeft = first.length;
    if (first.length > 0) {
      this.stage = "critical";
      this.concurrency = Math.max(1, this.core.config.launch.criticalConcurrency ?? 1);
      this.queue.push(...first);
      this.pump();
    } else this.beginLaterPhases();
    if (this.unsettled === 0) this.finish();
    return done;
  }

  /** End the launch early (shutdown or abort): stop tracking now, resolve `start()` with `result` when it settles. */
  cancel(result: Promise<LaunchResult>): void {
    for (const timer of this.deadlines.values()) timer.cancel();
    this.deadlines.clear();
    this.queue = [];
    this.launching.clear();
    if (!this.active) return;
    this.stage = "done";
    void result.then(this.finishLaunch);
  }

  /** Stop tracking `service` (the operator took it over). */
  forget(service: ServiceRuntime): void {
    const index = this.queue.indexOf(service);
    if (index >= 0) this.queue.splice(index, 1);
  }

  enqueue(service: ServiceRuntime): void {
    if (!this.queue.includes(service)) this.queue.push(service);
    this.pump();
  }

  private beginLaterPhases(): void {
    this.stage = "rest";
    this.concurrency = Math.max(1, this.core.config.launch.concurrency);
    this.queue.push(...this.later);
    this.later = [];
    this.pump();
  }

  private observe(service: ServiceRuntime, to: ServiceState): void {
    if (this.launching.has(service)) {
      if (isReady(to)) this.settle(service);
      else if (isDown(to)) this.settleFailure(service, to);
    }
    if (this.queue.length > 0) this.pump();
  }

  private settleFailure(service: ServiceRuntime, to: ServiceState): void {
    const critical = this.stage === "critical" && service.critical;
    if (!critical) return this.settle(service);
    // A critical service keeps climbing the ladder until its deadline; only a dead end (given up, or stopped by the operator) aborts at once.
    if (hasGivenUp(to) || to === "stopped") {
      this.abort(service, `critical service ${service.name} is ${to}: ${service.lastReason ?? "no reason"}`);
    }
  }

  private settle(service: ServiceRuntime): void {
    this.launching.delete(service);
    this.deadlines.get(service)?.cancel();
    this.deadlines.delete(service);
    this.markSettled(service);
  }

  private markSettled(service: ServiceRuntime): void {
    if (!service.markLaunchSettled()) return;
    this.unsettled--;
    if (service.config.phase === 0) this.firstLeft--;
    if (this.stage === "critical" && this.firstLeft === 0) this.beginLaterPhases();
    if (this.unsettled === 0 && this.active) this.finish();
  }

  private finish(): void {
    this.stage = "done";
    this.finishLaunch(this.core.finishLaunch());
  }

  // Re-entrant calls (a spawn changes state, which calls pump) just ask for one more pass.
  private pump(): void {
    if (this.pumping) return void (this.dirty = true);
    if (this.core.shuttingDown) return;
    this.pumping = true;
    try {
      do {
        this.dirty = false;
        this.queue = this.queue.filter((service) => isQueued(service.state) && !service.alive);
        for (const service of [...this.queue]) this.consider(service);
      } while (this.dirty);
    } finally {
      this.pumping = false;
    }
  }

  private consider(service: ServiceRuntime): void {
    if (this.ports.isWaiting(service)) return this.forget(service);
    const verdict = judgeDependencies(service);
    const { core } = this;
    if (verdict.kind === "degrade") {
      if (service.state === "degraded") return;
      service.recordReason(verdict.reason);
      core.apply(service, "degrade", verdict.reason);
      return this.markSettled(service);
    }
    if (service.state === "degraded") core.apply(service, "unblock", "upstream circuit breaker closed");
    if (verdict.kind === "block") {
      if (this.stage === "critical" && service.critical) return this.abort(service, `critical service ${service.name} cannot start: ${verdict.reason}`);
      if (service.state !== "pending") return;
      service.recordReason(verdict.reason);
      core.apply(service, "block", verdict.reason);
      return this.markSettled(service);
    }
    if (verdict.kind === "wait" || this.launching.size >= this.concurrency) return;
    if (service.state === "blocked") core.apply(service, "unblock", "dependencies ready");
    this.forget(service);
    this.launching.add(service);
    if (this.stage === "critical" && service.critical) this.armDeadline(service);
    spawnService(core, service, "spawn");
  }

  // "Not ready when its startupTimeout runs out, across its attempts" aborts the launch.
  private armDeadline(service: ServiceRuntime): void {
    const ms = service.config.startupTimeoutMs;
    const timer = this.core.clock.setTimeout(() => {
      this.deadlines.delete(service);
      if (this.active && !service.everReady) this.abort(service, `critical service ${service.name} was not ready within ${ms}ms (${service.lastReason ?? "no probe passed"})`);
    }, ms);
    this.deadlines.set(service, timer);
  }
}
