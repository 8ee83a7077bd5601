import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import type { BreakerState } from "../../src/contract/service-view";
import { CircuitBreaker } from "../../src/supervisor/circuit-breaker";

const config = { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000 };

function makeBreaker() {
  const clock = new FakeClock();
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker(config, clock, (state) => changes.push(state));
  return { clock, breaker, changes };
}

describe("circuit breaker", () => {
  test("threshold failures inside the window open it", async () => {
    const { clock, breaker, changes } = makeBreaker();
    breaker.recordFailure();
    await clock.advance(10_000);
    breaker.recordFailure();
    expect(breaker.state).toBe("closed");
    await clock.advance(10_000);
    expect(breaker.recordFailure()).toBe("open");
    expect(changes).toEqual(["open"]);
    expect(breaker.msUntilHalfOpen()).toBe(30_000);
  });

  test("failures older than the window do not count", async () => {
    const { clock, breaker } = makeBreaker();
    breaker.recordFailure();
    breaker.recordFailure();
    await clock.advance(60_001);
    expect(breaker.failures).toBe(0);
    expect(breaker.recordFailure()).toBe("closed");
  });

  test("after cooldown it turns half-open by itself; success closes it", async () => {
    const { clock, breaker, changes } = makeBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    await clock.advance(29_999);
    expect(breaker.state).toBe("open");
    await clock.advance(1);
    expect(breaker.state).toBe("half-open");
    expect(breaker.recordSuccess()).toBe("closed");
    expect(breaker.failures).toBe(0);
    expect(changes).toEqual(["open", "half-open", "closed"]);
  });

  test("a failed trial reopens it for another cooldown", async () => {
    const { clock, breaker, changes } = makeBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    await clock.advance(30_000);
    expect(breaker.recordFailure()).toBe("open");
    await clock.advance(29_000);
    expect(breaker.state).toBe("open");
    await clock.advance(1_000);
    expect(changes).toEqual(["open", "half-open", "open", "half-open"]);
  });

  test("success while closed changes nothing; reset closes an open breaker", () => {
    const { clock, breaker, changes } = makeBreaker();
    expect(breaker.recordSuccess()).toBe("closed");
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    breaker.reset();
    expect(breaker.state).toBe("closed");
    expect(clock.pendingCount).toBe(0);
    expect(changes).toEqual(["open", "closed"]);
  });
});
