/** The supervisor's mutable record of one service: process, timers, health, ladder and breaker. */
import type { CircuitBreakerConfig, ServiceConfig } from "../contract/config";
import type { ProbeResult, ServiceHealth } from "../contract/service-view";
import { meetsCondition } from "../contract/state-classes";
import type { DependencyCondition, ServiceState } from "../contract/states";
import type { Clock, Timer } from "../lib/clock";
import { ProbeHistory } from "../health/history";
import type { Probe } from "../health/probe";
import type { ChildHandle } from "../process/spawner";
import type { RandomSource } from "./backoff";
import { CircuitBreaker, type BreakerListener } from "./circuit-breaker";
import { RestartLadder } from "./ladder";

export interface DependencyLink {
  service: ServiceRuntime;
  condition: DependencyCondition;
}

export class ServiceRuntime {
  state: ServiceState = "pending";
  child: ChildHandle | null = null;
  /** Bumped on every spawn and on every deliberate kill, so a stale exit or probe is ignored. */
  generation = 0;
  /** Bumped whenever a scheduled restart must no longer run (stop, manual restart, degrade). */
  actionToken = 0;
  restarts = 0;
  startedAt: number | null = null;
  consecutiveFailures = 0;
  lastReason: string | null = null;
  /** Set once the launch no longer waits for this service (ready, failed, blocked or degraded). */
  launchSettled = false;
  everReady = false;
  health: ServiceHealth = { status: "unknown", latencyMs: null, endpoint: null, checkedAt: null, error: null };
  readonly history = new ProbeHistory();
  dependencies: DependencyLink[] = [];
  dependents: ServiceRuntime[] = [];
  env: Record<string, string> | null = null;
  /** True while the probe runner runs this service's probe. */
  probing = false;
  /** Set while a stop is under way, so a second stop joins it. */
  stopPromise: Promise<void> | null = null;
  /** One-shot observers of state changes; each returns true when it is done. */
  waiters: ((state: ServiceState) => boolean)[] = [];
  readonly timers: { startup: Timer | null; ready: Timer | null; restart: Timer | null } = {
    startup: null,
    ready: null,
    restart: null,
  };
  readonly ladder: RestartLadder;
  readonly breaker: CircuitBreaker;

  constructor(
    /** Replaced in place by a reload that changes nothing needing a restart (see reconfigure). */
    public config: ServiceConfig,
    /** Position in the launch order: lower launches first (recomputed by a reload). */
    public order: number,
    readonly probe: Probe | null,
    breakerConfig: CircuitBreakerConfig,
    clock: Clock,
    random: RandomSource,
    onBreakerChange: BreakerListener,
  ) {
    this.ladder = new RestartLadder(config.restart, clock, random);
    this.breaker = new CircuitBreaker(breakerConfig, clock, onBreakerChange);
  }

  get name(): string {
    return this.config.name;
  }

  /** Critical services abort the launch when they cannot start; optional ones never do. */
  get critical(): boolean {
    return this.config.critical && !this.config.optional;
  }

  get alive(): boolean {
    return this.child !== null;
  }

  /** Take a config whose differences apply in place (restart ladder, breaker, timings, edges). */
  reconfigure(config: ServiceConfig, breakerConfig: CircuitBreakerConfig): void {
    this.config = config;
    this.ladder.reconfigure(config.restart);
    this.breaker.reconfigure(breakerConfig);
  }

  recordProbe(result: ProbeResult): void {
    this.history.push(result);
  }

  cancelTimers(): void {
    for (const key of ["startup", "ready", "restart"] as const) {
      this.timers[key]?.cancel();
      this.timers[key] = null;
    }
  }
}

/** Whether `link`'s service has reached what the dependent waits for. */
export function isConditionMet(link: DependencyLink): boolean {
  return meetsCondition(link.service.state, link.condition);
}
