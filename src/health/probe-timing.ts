/** Shared bookkeeping for probes: when a check started, and how to turn an outcome into a ProbeResult. */
import type { Clock } from "../lib/clock";
import type { ProbeResult } from "../contract/service-view";

export interface CheckTiming {
  readonly timeoutMs: number;
  /** Milliseconds left before `timeoutMs` runs out (never negative). */
  remainingMs(): number;
  /** The finished result, stamped with the start time and the elapsed latency. */
  finish(ok: boolean, endpoint: string | undefined, error?: string): ProbeResult;
}

/** Latency uses the monotonic `performance.now()`; `checkedAt` comes from the injected clock. */
export function startCheck(clock: Clock, timeoutMs: number): CheckTiming {
  const checkedAt = clock.now();
  const started = performance.now();
  return {
    timeoutMs,
    remainingMs: () => Math.max(0, timeoutMs - (performance.now() - started)),
    finish(ok, endpoint, error) {
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const result: ProbeResult = { ok, latencyMs, checkedAt };
      if (endpoint !== undefined) result.endpoint = endpoint;
      if (!ok) result.error = error ?? "unhealthy";
      return result;
    },
  };
}
