import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import type { Probe } from "../../src/health/probe";
import type { ProbeResult } from "../../src/contract/service-view";
import { ProbeScheduler } from "../../src/health/scheduler";

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
    // steady: every 5 s after the pass, on whole seconds
    expect(calls.filter((c) => c > firstPass.at)).toEqual([6000, 11000]);
    scheduler.stopAll();
  });

  test("steady probes of services started at different times share wake-ups on one timer", async () => {
    const clock = new FakeClock();
    const scheduler = new ProbeScheduler(clock);
    const a = scriptedProbe(clock, () => true);
    const b = scriptedProbe(clock, () => true);
    scheduler.start("a", a.probe, schedule, () => {}, "steady");
    await clock.advance(370);
    scheduler.start("b", b.probe, schedule, () => {}, "steady");
    expect(clock.pendingCount).toBe(1);
    await clock.advance(20_000);
    expect(a.calls).toEqual([5000, 10000, 15000, 20000]);
    expect(b.calls).toEqual([6000, 11000, 16000]);
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
});
