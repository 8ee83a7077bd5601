import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { computeBackoffDelay, selectBackoffMs } from "../../src/supervisor/backoff";
import { RestartLadder, selectTier } from "../../src/supervisor/ladder";

const BACKOFF = [1000, 5000, 15000, 30000, 60000, 60000, 60000];

describe("backoff", () => {
  test("attempt n waits backoff[n-1], the last entry repeating", () => {
    expect([1, 2, 3, 7, 8, 50].map((n) => selectBackoffMs(BACKOFF, n))).toEqual([1000, 5000, 15000, 60000, 60000, 60000]);
    expect(selectBackoffMs([250], 4)).toBe(250);
    expect(selectBackoffMs([], 1)).toBe(0);
  });

  test("jitter adds between 0 and 10% of the base", () => {
    expect(computeBackoffDelay(BACKOFF, 2, () => 0)).toBe(5000);
    expect(computeBackoffDelay(BACKOFF, 2, () => 0.5)).toBe(5250);
    expect(computeBackoffDelay(BACKOFF, 2, () => 0.9999999)).toBeLessThan(5500);
    for (let i = 0; i < 1000; i++) {
      const delay = computeBackoffDelay(BACKOFF, 1, Math.random);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThan(1100);
    }
  });

  test("zero backoff stays zero whatever the jitter", () => {
    expect(computeBackoffDelay([0], 3, () => 0.99)).toBe(0);
  });
});

describe("ladder tiers", () => {
  test("1-3 immediate, 4-5 graceful, 6-7 dependencies, 8+ quarantine", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(selectTier)).toEqual([
      "immediate", "immediate", "immediate", "graceful", "graceful",
      "dependencies", "dependencies", "quarantine", "quarantine", "quarantine",
    ]);
  });

  test("each failure climbs one attempt with its delay", () => {
    const ladder = new RestartLadder({ policy: "on-failure", backoffMs: BACKOFF, resetAfterMs: 300_000 }, new FakeClock(), () => 0);
    const steps = Array.from({ length: 8 }, () => ladder.recordFailure());
    expect(steps.map((s) => s.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps.map((s) => s.delayMs)).toEqual([1000, 5000, 15000, 30000, 60000, 60000, 60000, 0]);
    expect(steps.at(-1)!.tier).toBe("quarantine");
  });
});

describe("resetAfter", () => {
  const config = { policy: "on-failure" as const, backoffMs: BACKOFF, resetAfterMs: 300_000 };

  test("staying healthy for resetAfter resets the count", async () => {
    const clock = new FakeClock();
    const ladder = new RestartLadder(config, clock, () => 0);
    ladder.recordFailure();
    ladder.recordFailure();
    ladder.markHealthy();
    await clock.advance(299_999);
    expect(ladder.attempt).toBe(2);
    await clock.advance(1);
    expect(ladder.attempt).toBe(0);
    const step = ladder.recordFailure();
    expect(step).toMatchObject({ attempt: 1, tier: "immediate", wasReset: true });
  });

  test("a healthy spell shorter than resetAfter keeps climbing", async () => {
    const clock = new FakeClock();
    const ladder = new RestartLadder(config, clock, () => 0);
    ladder.recordFailure();
    ladder.markHealthy();
    await clock.advance(200_000);
    ladder.markUnhealthy();
    ladder.markHealthy();
    await clock.advance(200_000);
    expect(ladder.recordFailure().attempt).toBe(2);
  });

  test("markHealthy twice does not restart the window", async () => {
    const clock = new FakeClock();
    const ladder = new RestartLadder(config, clock, () => 0);
    ladder.recordFailure();
    ladder.markHealthy();
    await clock.advance(200_000);
    ladder.markHealthy();
    await clock.advance(100_000);
    expect(ladder.attempt).toBe(0);
  });

  test("reset forgets everything", () => {
    const ladder = new RestartLadder(config, new FakeClock(), () => 0);
    for (let i = 0; i < 8; i++) ladder.recordFailure();
    ladder.reset();
    expect(ladder.recordFailure().attempt).toBe(1);
  });
});
