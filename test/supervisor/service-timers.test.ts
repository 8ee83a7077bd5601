/** A service's timer slots hold one timer each: re-arming replaces, cancelling stops it, a timer that fired leaves its slot. */
import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { ServiceTimers } from "../../src/supervisor/service-timers";

describe("ServiceTimers", () => {
  test("re-arming a slot cancels the timer it held; other slots are left alone", async () => {
    const clock = new FakeClock();
    const timers = new ServiceTimers();
    const fired: string[] = [];
    timers.arm("startup", clock, 100, () => fired.push("first startup"));
    timers.arm("restart", clock, 100, () => fired.push("restart"));
    timers.arm("startup", clock, 200, () => fired.push("second startup"));
    await clock.advance(300);
    expect(fired).toEqual(["restart", "second startup"]);
  });

  test("cancel stops one slot's timer, cancelAll every one; a timer that fired is not cancelled again", async () => {
    const clock = new FakeClock();
    const timers = new ServiceTimers();
    const fired: string[] = [];
    timers.arm("ready", clock, 10, () => fired.push("ready"));
    await clock.advance(10);
    timers.arm("startup", clock, 10, () => fired.push("startup"));
    timers.arm("restart", clock, 10, () => fired.push("restart"));
    timers.cancel("startup");
    expect(clock.pendingCount).toBe(1);
    timers.cancelAll();
    expect(clock.pendingCount).toBe(0);
    await clock.advance(100);
    expect(fired).toEqual(["ready"]);
  });
});
