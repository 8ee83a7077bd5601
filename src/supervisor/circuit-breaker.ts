/**
 * Per-service circuit breaker (SPEC §8): `failureThreshold` failures within `windowMs` open it;
 * after `cooldownMs` it turns half-open by itself (a clock timer), so the next restart is a
 * trial: success closes it, failure opens it again.
 */
import type { CircuitBreakerConfig } from "../contract/config";
import type { BreakerState } from "../contract/service-view";
import type { Clock, Timer } from "../lib/clock";

export type BreakerListener = (state: BreakerState, failures: number) => void;

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private failureTimes: number[] = [];
  private openedAt = 0;
  private cooldown: Timer | null = null;

  constructor(
    private config: CircuitBreakerConfig,
    private readonly clock: Clock,
    private readonly onChange: BreakerListener = () => {},
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Failures counted inside the current window. */
  get failures(): number {
    this.pruneWindow();
    return this.failureTimes.length;
  }

  /** Milliseconds until an open breaker turns half-open; 0 when it is not open. */
  msUntilHalfOpen(): number {
    if (this.current !== "open") return 0;
    return Math.max(0, this.openedAt + this.config.cooldownMs - this.clock.now());
  }

  /** Count a failure; returns the state after it. */
  recordFailure(): BreakerState {
    this.failureTimes.push(this.clock.now());
    this.pruneWindow();
    if (this.current === "half-open") this.open();
    else if (this.current === "closed" && this.failureTimes.length >= this.config.failureThreshold) this.open();
    return this.current;
  }

  /** The service became ready: a half-open trial succeeded, so close. */
  recordSuccess(): BreakerState {
    if (this.current === "half-open") this.close();
    return this.current;
  }

  /** Close and forget every failure (a manual restart starts from a clean slate). */
  reset(): void {
    if (this.current !== "closed") this.close();
    else this.failureTimes = [];
  }

  /** Use `config` from now on (a reload); counted failures and a running cooldown are kept. */
  reconfigure(config: CircuitBreakerConfig): void {
    this.config = config;
  }

  /** Cancel the cooldown timer. */
  dispose(): void {
    this.cooldown?.cancel();
    this.cooldown = null;
  }

  private open(): void {
    this.dispose();
    this.current = "open";
    this.openedAt = this.clock.now();
    this.cooldown = this.clock.setTimeout(() => this.halfOpen(), this.config.cooldownMs);
    this.onChange("open", this.failureTimes.length);
  }

  private halfOpen(): void {
    this.cooldown = null;
    this.current = "half-open";
    this.onChange("half-open", this.failures);
  }

  private close(): void {
    this.dispose();
    this.current = "closed";
    this.failureTimes = [];
    this.onChange("closed", 0);
  }

  private pruneWindow(): void {
    const oldest = this.clock.now() - this.config.windowMs;
    let drop = 0;
    while (drop < this.failureTimes.length && (this.failureTimes[drop] ?? 0) <= oldest) drop++;
    if (drop > 0) this.failureTimes.splice(0, drop);
  }
}
