/**
 * The supervisor's record of one service: process, timers, health, ladder and breaker.
 * Every field is read-only from outside and changes only through the named operations below
 * (the objects it holds, through their own methods), so the fields that belong together (a
 * spawn's generation, child, start time, restart and failure counts; a probe's history,
 * health and count) always change together. The state changes only in `SupervisorCore.apply`.
 */
import type { CircuitBreakerConfig, ServiceConfig } from "../contract/config";
import { meetsCondition } from "../contract/state-classes";
import type { DependencyCondition, ServiceState } from "../contract/states";
import type { Clock } from "../lib/clock";
import type { Probe } from "../health/probe";
import type { ChildHandle } from "../process/spawner";
import type { RandomSource } from "./backoff";
import { CircuitBreaker, type BreakerListener } from "./circuit-breaker";
import { HealthRecord } from "./health-record";
import { RestartLadder } from "./ladder";
import { OutputTail } from "./output-tail";
import { ReadinessRecord } from "./readiness-record";
import { ServiceTimers } from "./service-timers";
import { StateWaiters } from "./state-waiters";

export interface DependencyLink {
  readonly service: ServiceRuntime;
  readonly condition: DependencyCondition;
}

export class ServiceRuntime {
  #state: ServiceState = "pending";
  #child: ChildHandle | null = null;
  #generation = 0;
  #actionToken = 0;
  #restarts = 0;
  #startedAt: number | null = null;
  #lastReason: string | null = null;
  #launchSettled = false;
  #everReady = false;
  #dependencies: DependencyLink[] = [];
  #dependents: ServiceRuntime[] = [];
  #env: Record<string, string> | null = null;
  #probing = false;
  #stopPromise: Promise<void> | null = null;
  #config: ServiceConfig;
  #order: number;
  readonly timers = new ServiceTimers();
  readonly waiters = new StateWaiters();
  readonly health = new HealthRecord();
  /** The current process's last output lines: the crash context of its failure. */
  readonly tail = new OutputTail();
  /** What the service said about its readiness in this spawn (SPEC §14). */
  readonly readiness = new ReadinessRecord();
  readonly ladder: RestartLadder;
  readonly breaker: CircuitBreaker;
  /** The probe runner's key: the name, or a name of its own for a replacement started beside the instance it replaces (rollout.ts). */
  probeKey: string;
  /** Being replaced: the proxy sends it no new connections (rollout.ts). */
  retiring = false;

  constructor(
    config: ServiceConfig,
    order: number,
    readonly probe: Probe | null,
    breakerConfig: CircuitBreakerConfig,
    clock: Clock,
    random: RandomSource,
    onBreakerChange: BreakerListener,
    /** The readiness-only probe of `ready: { http | tcp | exec }` (SPEC §14); null for any other readiness. */
    readonly readyProbe: Probe | null = null,
  ) {
    this.#config = config;
    this.#order = order;
    this.probeKey = config.name;
    this.ladder = new RestartLadder(config.restart, clock, random);
    this.breaker = new CircuitBreaker(breakerConfig, clock, onBreakerChange);
  }

  get state(): ServiceState {
    return this.#state;
  }

  get child(): ChildHandle | null {
    return this.#child;
  }

  /** Bumped on every spawn and on every deliberate kill, so a stale exit or probe is ignored. */
  get generation(): number {
    return this.#generation;
  }

  /** Bumped whenever a scheduled restart must no longer run (stop, manual restart, degrade). */
  get actionToken(): number {
    return this.#actionToken;
  }

  get restarts(): number {
    return this.#restarts;
  }

  get startedAt(): number | null {
    return this.#startedAt;
  }

  get lastReason(): string | null {
    return this.#lastReason;
  }

  get everReady(): boolean {
    return this.#everReady;
  }

  get dependencies(): readonly DependencyLink[] {
    return this.#dependencies;
  }

  get dependents(): readonly ServiceRuntime[] {
    return this.#dependents;
  }

  /** True while the probe runner runs this service's probe. */
  get probing(): boolean {
    return this.#probing;
  }

  /** Set while a stop is under way, so a second stop joins it. */
  get stopPromise(): Promise<void> | null {
    return this.#stopPromise;
  }

  /** Replaced in place by a reload that changes nothing needing a restart (see reconfigure). */
  get config(): ServiceConfig {
    return this.#config;
  }

  /** Position in the launch order: lower launches first (recomputed by a reload). */
  get order(): number {
    return this.#order;
  }

  get name(): string {
    return this.#config.name;
  }

  /** Critical services abort the launch when they cannot start; optional ones never do. */
  get critical(): boolean {
    return this.#config.critical && !this.#config.optional;
  }

  get alive(): boolean {
    return this.#child !== null;
  }

  /** Only `SupervisorCore.apply` calls this, once the transition table allowed the move (test/supervisor/service-runtime.test.ts checks). */
  enterState(to: ServiceState): void {
    this.#state = to;
  }

  /**
   * `child` runs from `now`: a new generation (whatever an older process reports is ignored
   * from now on), probe failures counted from zero, and `restart` counts it. Returns the generation.
   */
  beginSpawn(child: ChildHandle, now: number, restart: boolean): number {
    if (restart) this.#restarts++;
    this.#child = child;
    this.#startedAt = now;
    this.health.resetFailures();
    const generation = ++this.#generation;
    this.readiness.reset(generation, this.#config.ready?.kind === "systemd" ? (this.#config.ready.watchdogMs ?? null) : null);
    return generation;
  }

  /** The process of the current generation exited by itself. */
  releaseChild(): void {
    this.#child = null;
  }

  /** Take the process away to kill or stop it: a new generation, so its exit is ignored. */
  disownChild(): ChildHandle | null {
    const child = this.#child;
    if (!child) return null;
    this.#generation++;
    this.#child = null;
    return child;
  }

  recordReason(reason: string): void {
    this.#lastReason = reason;
  }

  /** A fresh action token: an action holding an older one (a scheduled restart) must not run. */
  takeActionToken(): number {
    return ++this.#actionToken;
  }

  /** The spawn environment, built once and kept until a manual start (see resetForManualStart). */
  ensureEnv(build: () => Record<string, string>): Record<string, string> {
    return (this.#env ??= build());
  }

  /** The operator takes over: the ladder starts again, the breaker closes, the envFile is read again. */
  resetForManualStart(): void {
    this.ladder.reset();
    this.breaker.reset();
    this.#env = null;
  }

  /** True when it was not probing (the caller starts the runner). */
  beginProbing(): boolean {
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** True when it was probing (the caller stops the runner). */
  endProbing(): boolean {
    if (!this.#probing) return false;
    this.#probing = false;
    return true;
  }

  /** Ready: the startup deadline is off, and the launch's critical deadline knows it was ready once. */
  recordReady(): void {
    this.timers.cancel("startup");
    this.#everReady = true;
  }

  /** False when the launch already stopped waiting for it (ready, failed, blocked or degraded). */
  markLaunchSettled(): boolean {
    if (this.#launchSettled) return false;
    this.#launchSettled = true;
    return true;
  }

  /** Hold `stopping` so a second stop joins it; it is let go as it ends, before `then` runs. Returns what a stop joins. */
  holdStop(stopping: Promise<void>, then: () => void): Promise<void> {
    const held = stopping.then(() => {
      this.#stopPromise = null;
      then();
    });
    this.#stopPromise = held;
    return held;
  }

  /** `this` depends on `dependency`: both sides learn it. */
  linkTo(dependency: ServiceRuntime, condition: DependencyCondition): void {
    this.#dependencies.push({ service: dependency, condition });
    dependency.#dependents.push(this);
  }

  clearLinks(): void {
    this.#dependencies = [];
    this.#dependents = [];
  }

  /** Take a config whose differences apply in place (restart ladder, breaker, timings, edges). */
  reconfigure(config: ServiceConfig, breakerConfig: CircuitBreakerConfig): void {
    this.#config = config;
    this.ladder.reconfigure(config.restart);
    this.breaker.reconfigure(breakerConfig);
  }

  placeAt(order: number): void {
    this.#order = order;
  }

  /** A record replacing `previous` (a reload changed its config) goes on counting its restarts; `restarted` counts this one. */
  inheritRestarts(previous: ServiceRuntime, restarted: boolean): void {
    this.#restarts = previous.#restarts + (restarted ? 1 : 0);
  }
}

/** Whether `link`'s service has reached what the dependent waits for. */
export function isConditionMet(link: DependencyLink): boolean {
  return meetsCondition(link.service.state, link.condition);
}
