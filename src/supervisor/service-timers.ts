/** A service's one-shot timers: the startup deadline, the no-probe grace period, the scheduled restart, the sd_notify watchdog. */
import type { Clock, Timer } from "../lib/clock";

export type TimerKind = "startup" | "ready" | "restart" | "watchdog";

const KINDS: readonly TimerKind[] = ["startup", "ready", "restart", "watchdog"];

/** One slot per kind, holding at most one timer: arming a slot cancels what it held, and a timer empties its slot as it fires. */
export class ServiceTimers {
  private readonly slots: Record<TimerKind, Timer | null> = { startup: null, ready: null, restart: null, watchdog: null };

  arm(kind: TimerKind, clock: Clock, ms: number, fire: () => void): void {
    this.slots[kind]?.cancel();
    this.slots[kind] = clock.setTimeout(() => {
      this.slots[kind] = null;
      fire();
    }, ms);
  }

  cancel(kind: TimerKind): void {
    this.slots[kind]?.cancel();
    this.slots[kind] = null;
  }

  cancelAll(): void {
    for (const kind of KINDS) this.cancel(kind);
  }
}
