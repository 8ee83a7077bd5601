/**
 * The healing ladder (SPEC §8): which tier an attempt belongs to, how long it waits, and
 * when the attempt count resets. Pure bookkeeping over an injected clock; it acts on nothing.
 */
import type { RestartConfig } from "../contract/config";
import type { HealingTier } from "../contract/events";
import type { Clock } from "../lib/clock";
import { computeBackoffDelay, type RandomSource } from "./backoff";

/** The tiers the ladder climbs (SPEC §8); `manual` is an operator's restart, not a rung. */
export type LadderTier = Exclude<HealingTier, "manual">;

/** 1-3 immediate, 4-5 graceful, 6-7 dependencies, 8+ quarantine. */
export function selectTier(attempt: number): LadderTier {
  if (attempt <= 3) return "immediate";
  if (attempt <= 5) return "graceful";
  if (attempt <= 7) return "dependencies";
  return "quarantine";
}

const TIER_ORDER: readonly LadderTier[] = ["immediate", "graceful", "dependencies", "quarantine"];

/** The later of two tiers (a failure that must not be handled below `floor`). */
export function atLeast(tier: LadderTier, floor: LadderTier): LadderTier {
  return TIER_ORDER.indexOf(tier) >= TIER_ORDER.indexOf(floor) ? tier : floor;
}

export interface LadderStep {
  attempt: number;
  tier: LadderTier;
  /** Wait before acting; 0 for quarantine (nothing to wait for). */
  delayMs: number;
  /** True when the count had been reset by a long enough healthy run before this failure. */
  wasReset: boolean;
}

/** Per-service attempt counter with the `resetAfter` rule. */
export class RestartLadder {
  private attempts = 0;
  private healthySince: number | null = null;

  constructor(
    private config: RestartConfig,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  /** The attempt count as of now, applying a pending reset. */
  get attempt(): number {
    return this.hasEarnedReset() ? 0 : this.attempts;
  }

  /**
   * Count one failure and say what to do about it; `floor` lifts the tier for a failure that
   * needs more than a SIGKILL (memory: the graceful tier), the attempt count is the same.
   */
  recordFailure(floor: LadderTier = "immediate"): LadderStep {
    const wasReset = this.hasEarnedReset();
    if (wasReset) this.attempts = 0;
    this.healthySince = null;
    const attempt = ++this.attempts;
    const tier = atLeast(selectTier(attempt), floor);
    const delayMs = tier === "quarantine" ? 0 : computeBackoffDelay(this.config.backoffMs, attempt, this.random);
    return { attempt, tier, delayMs, wasReset };
  }

  /** The service became healthy: start the `resetAfter` window (idempotent while it stays healthy). */
  markHealthy(): void {
    if (this.healthySince === null) this.healthySince = this.clock.now();
  }

  /** The service stopped being healthy: the window restarts next time it is. */
  markUnhealthy(): void {
    this.healthySince = null;
  }

  /** Use `config` from now on (a reload); the attempt count is kept. */
  reconfigure(config: RestartConfig): void {
    this.config = config;
  }

  /** Forget every attempt (manual restart, quarantine lifted). */
  reset(): void {
    this.attempts = 0;
    this.healthySince = null;
  }

  private hasEarnedReset(): boolean {
    return this.healthySince !== null && this.clock.now() - this.healthySince >= this.config.resetAfterMs;
  }
}
