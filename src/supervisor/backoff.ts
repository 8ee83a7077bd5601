/** Restart delays (SPEC §8): attempt `n` waits `backoff[n-1]`, the last entry repeating, plus up to 10% jitter. */

export const JITTER_RATIO = 0.1;

/** A source of uniform numbers in [0, 1); injected so tests can pin the jitter. */
export type RandomSource = () => number;

/** The base delay for attempt `attempt` (1-based); 0 when the list is empty. */
export function selectBackoffMs(backoffMs: readonly number[], attempt: number): number {
  if (backoffMs.length === 0) return 0;
  const index = Math.min(Math.max(attempt, 1) - 1, backoffMs.length - 1);
  return backoffMs[index] ?? 0;
}

/** The base delay plus jitter in [0, 10%) of it, rounded to whole milliseconds. */
export function computeBackoffDelay(backoffMs: readonly number[], attempt: number, random: RandomSource): number {
  const base = selectBackoffMs(backoffMs, attempt);
  const roll = Math.min(Math.max(random(), 0), 0.999_999);
  return Math.floor(base + base * JITTER_RATIO * roll);
}
