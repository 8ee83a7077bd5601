import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import type { Probe } from "../../src/health/probe";
import type { ProbeResult } from "../../src/contract/service-view";
import { nextSteadyDue, ProbeScheduler } from "../../src/health/scheduler";

const T0 = 1_700_000_000_000; // FakeClock's start, a multiple of 1000

/** A probe whose answer is decided by `isUp(now)`; records when it was called. */
function scriptedProbe(clock: FakeClock, isUp: (now: number) => boolean) {
  const calls: number[] = [];
  const probe: Probe = {
    async check() {
      const now = clock.now();
      calls.push(now - T0);
      return { ok: isUp(now - T0), latencyMs: 0, checkedAt: now };
    },
  };
  return { probe, calls };
}

/** A probe that stays in flight until the test settles it. */
function manualProbe(clock: FakeClock) {
  let calls = 0;
  const pending: Array<(ok: boolean) => void> = [];
  const probe: Probe = {
    check: () => {
      calls++;
      return new Promise<ProbeResult>((resolve) => pending.push((ok) => resolve({ ok, latencyMs: 0, checkedAt: clock.now() })));
    },
  };
  return { probe, pending, calls: () => calls };
}

const schedule = { intervalMs: 5000, timeoutMs: 1000 };

/** A FakeClock that records when its timers fire: each firing is one wake-up of the process. */
class WakeCountingClock extends FakeClock {
  readonly wakes: number[] = [];
  override setTimeout(fn: () => void, ms: number) {
    return super.setTimeout(() => {
      this.wakes.push(this.now() - T0);
      fn();
    }, ms);
  }
}

describe("ProbeScheduler", () => {
  test("startup probes soon after start, 10 ms doubling to a 100 ms cap", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, calls } = scriptedProbe(clock, () => false);
    scheduler.start("api", probe, schedule, () => {});
    await clock.advance(500);
    expect(calls).toEqual([10, 30, 70, 150, 250, 350, 450]);
    scheduler.stopAll();
  });

  test("readiness is noticed within 100 ms of the service first answering, then steady mode takes over", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const seen: Array<{ at: number; ok: boolean }> = [];
    const { probe, calls } = scriptedProbe(clock, (at) => at >= 260);
    scheduler.start("api", probe, schedule, (r) => seen.push({ at: r.checkedAt - T0, ok: r.ok }));
    await clock.advance(400);
    const firstPass = seen.find((s) => s.ok)!;
    expect(firstPass.at).toBeGreaterThanOrEqual(260);
    expect(firstPass.at).toBeLessThanOrEqual(360);
    expect(scheduler.modeOf("api")).toBe("steady");
    await clock.advance(15_000);
    // steady: on the multiples of the 5 s interval, the first one nearest to 5 s after the pass
    expect(calls.filter((c) => c > firstPass.at)).toEqual([5000, 10000, 15000]);
    scheduler.stopAll();
  });

  test("steady probes of services started at different times share wake-ups on one timer", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const a = scriptedProbe(clock, () => true);
    const b = scriptedProbe(clock, () => true);
    scheduler.start("a", a.probe, schedule, () => {}, "steady");
    await clock.advance(1370);
    scheduler.start("b", b.probe, schedule, () => {}, "steady");
    expect(clock.pendingCount).toBe(1);
    await clock.advance(20_000);
    expect(a.calls).toEqual([5000, 10000, 15000, 20000]);
    expect(b.calls).toEqual([5000, 10000, 15000, 20000]);
    expect(clock.pendingCount).toBe(1);
    scheduler.stopAll();
    expect(clock.pendingCount).toBe(0);
  });

  test("never runs two probes of one service at once", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, pending, calls } = manualProbe(clock);
    scheduler.start("api", probe, schedule, () => {}, "steady");
    await clock.advance(30_000);
    void scheduler.runNow("api");
    expect(calls()).toBe(1);
    pending[0](true);
    await clock.advance(5000);
    expect(calls()).toBe(2);
    scheduler.stopAll();
  });

  test("runNow probes at once, or joins the probe already in flight", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, pending, calls } = manualProbe(clock);
    const delivered: boolean[] = [];
    scheduler.start("api", probe, schedule, (r) => delivered.push(r.ok), "steady");
    const first = scheduler.runNow("api");
    const second = scheduler.runNow("api");
    expect(calls()).toBe(1);
    pending[0](false);
    expect((await first)?.ok).toBe(false);
    expect(await second).toBe(await first);
    expect(delivered).toEqual([false]);
    expect(await scheduler.runNow("unknown")).toBeUndefined();
    scheduler.stopAll();
  });

  test("stop ends probing and drops the result of a probe in flight", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, pending, calls } = manualProbe(clock);
    const delivered: boolean[] = [];
    scheduler.start("api", probe, schedule, (r) => delivered.push(r.ok));
    await clock.advance(10);
    scheduler.stop("api");
    pending[0](true);
    await clock.advance(60_000);
    expect(calls()).toBe(1);
    expect(delivered).toEqual([]);
    expect(scheduler.has("api")).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  test("setMode('startup') after a restart probes fast again and ignores the old process's answer", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, pending, calls } = manualProbe(clock);
    const delivered: boolean[] = [];
    scheduler.start("api", probe, schedule, (r) => delivered.push(r.ok), "steady");
    await clock.advance(5000);
    expect(calls()).toBe(1);
    scheduler.setMode("api", "startup");
    pending[0](true); // answered by the process that was just replaced
    await clock.advance(10);
    expect(delivered).toEqual([]);
    expect(calls()).toBe(2);
    expect(scheduler.modeOf("api")).toBe("startup");
    pending[1](true);
    await clock.advance(0);
    expect(delivered).toEqual([true]);
    expect(scheduler.modeOf("api")).toBe("steady");
    scheduler.stopAll();
  });

  test("a probe that rejects or a handler that throws does not stop the schedule", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    let calls = 0;
    const probe: Probe = {
      check: async () => {
        calls++;
        throw new Error("broken probe");
      },
    };
    const errors: Array<string | undefined> = [];
    scheduler.start("api", probe, schedule, (r) => {
      errors.push(r.error);
      throw new Error("broken handler");
    });
    await clock.advance(100);
    expect(calls).toBe(3);
    expect(errors[0]).toBe("probe threw: Error: broken probe");
    expect(scheduler.probesRun).toBe(3);
    scheduler.stopAll();
  });

  test("services turning healthy over several seconds share one wake-up per interval", async () => {
    const clock = new WakeCountingClock();
    const scheduler = new ProbeScheduler(clock);
    const calls = new Map<string, number[]>();
    // 20 services, the first passes at 30 ms and the last at 2.2 s (a slow cold start)
    for (let i = 0; i < 20; i++) {
      const passAt = 30 + i * 110;
      const { probe, calls: seen } = scriptedProbe(clock, (at) => at >= passAt);
      calls.set(`svc-${i}`, seen);
      scheduler.start(`svc-${i}`, probe, schedule, () => {});
    }
    await clock.advance(3000);
    expect([...calls.keys()].every((name) => scheduler.modeOf(name) === "steady")).toBe(true);
    clock.wakes.length = 0;
    await clock.advance(30_000);
    // one wake-up per 5 s round for all 20, none in between
    expect(clock.wakes).toEqual([5000, 10000, 15000, 20000, 25000, 30000]);
    for (const seen of calls.values()) expect(seen.filter((at) => at >= 3000)).toEqual([5000, 10000, 15000, 20000, 25000, 30000]);
    scheduler.stopAll();
  });

  test("services with different intervals keep their own and share the wake-ups where their multiples meet", async () => {
    const clock = new WakeCountingClock();
    const scheduler = new ProbeScheduler(clock);
    const fast = scriptedProbe(clock, () => true);
    const slow = scriptedProbe(clock, () => true);
    const odd = scriptedProbe(clock, () => true);
    scheduler.start("fast", fast.probe, { intervalMs: 2000, timeoutMs: 1000 }, () => {}, "steady");
    scheduler.start("slow", slow.probe, schedule, () => {}, "steady");
    await clock.advance(700);
    scheduler.start("odd", odd.probe, { intervalMs: 3000, timeoutMs: 1000 }, () => {}, "steady");
    await clock.advance(20_000);
    expect(fast.calls).toEqual([2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 18000, 20000]);
    expect(slow.calls).toEqual([5000, 10000, 15000, 20000]);
    // multiples of 3 s since the epoch (T0 is 2 s past one), the first nearest to 3 s after joining
    expect(odd.calls).toEqual([4000, 7000, 10000, 13000, 16000, 19000]);
    // the union of the three grids, each point once: 4, 10, 16 and 20 s serve two or three services
    expect(clock.wakes).toEqual([2000, 4000, 5000, 6000, 7000, 8000, 10000, 12000, 13000, 14000, 15000, 16000, 18000, 19000, 20000]);
    scheduler.stopAll();
  });

  test("a service joining the grid gets its first steady probe between half and one and a half intervals later", () => {
    const I = 5000;
    expect(nextSteadyDue(T0, I, Infinity, T0)).toBe(T0 + 5000); // on the grid: exactly one interval
    expect(nextSteadyDue(T0 + 260, I, Infinity, T0 + 260)).toBe(T0 + 5000);
    expect(nextSteadyDue(T0 + 2499, I, Infinity, T0 + 2499)).toBe(T0 + 5000);
    expect(nextSteadyDue(T0 + 2500, I, Infinity, T0 + 2500)).toBe(T0 + 10_000);
    expect(nextSteadyDue(T0 + 4990, I, Infinity, T0 + 4990)).toBe(T0 + 10_000);
    for (let joinedAt = 0; joinedAt < 3 * I; joinedAt += 37) {
      const due = nextSteadyDue(T0 + joinedAt, I, Infinity, T0 + joinedAt) - T0;
      expect(due % I).toBe(0);
      expect(due - joinedAt).toBeGreaterThanOrEqual(I / 2);
      expect(due - joinedAt).toBeLessThanOrEqual((3 * I) / 2);
    }
    // alignMs below the interval: its multiples, nearest to one interval later
    expect(nextSteadyDue(T0 + 370, I, 1000, T0 + 370)).toBe(T0 + 5000);
    expect(nextSteadyDue(T0 + 620, I, 1000, T0 + 620)).toBe(T0 + 6000);
  });

  test("a probe still in flight past its next grid point is next due on the first grid point after it answers", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const { probe, pending, calls } = manualProbe(clock);
    scheduler.start("api", probe, { intervalMs: 1000, timeoutMs: 3000 }, () => {}, "steady");
    await clock.advance(1000);
    expect(calls()).toBe(1); // at 1000
    await clock.advance(1500);
    pending[0](true); // answers at 2500, past the grid point 2000
    await clock.advance(0);
    expect(calls()).toBe(1);
    await clock.advance(499);
    expect(calls()).toBe(1);
    await clock.advance(1);
    expect(calls()).toBe(2); // at 3000
    scheduler.stopAll();
  });

  test("alignMs below the interval puts steady probes on its multiples instead", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock, { alignMs: 1000 });
    const a = scriptedProbe(clock, () => true);
    await clock.advance(1370);
    scheduler.start("a", a.probe, schedule, () => {}, "steady");
    await clock.advance(15_000);
    expect(a.calls).toEqual([6000, 11000, 16000]);
    scheduler.stopAll();
  });
});
