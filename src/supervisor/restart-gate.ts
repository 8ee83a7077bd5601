/**
 * `healing.maxConcurrentRestarts` (SPEC §16): at most that many automatic restarts in flight
 * fleet-wide; the rest wait, in order of phase (then launch order). A restart is in flight
 * from when its tier begins to act until the service leaves `starting` (ready, or failed
 * again), or leaves healing altogether (stopped, quarantined...).
 */
import type { ServiceState } from "../contract/states";
import type { ServiceRuntime } from "./service-runtime";

interface Waiting {
  service: ServiceRuntime;
  /** False once the restart must no longer run (a stop, a manual restart, shutdown): dropped. */
  due: () => boolean;
  run: () => void;
}

export class RestartGate {
  private readonly inFlight = new Set<ServiceRuntime>();
  private waiting: Waiting[] = [];

  constructor(private readonly cap: () => number | null) {}

  /** Run `run` now when a slot is free (true), else queue it (false). */
  enter(service: ServiceRuntime, due: () => boolean, run: () => void): boolean {
    const cap = this.cap();
    this.waiting = this.waiting.filter((w) => w.service !== service);
    if (cap === null || this.inFlight.size < cap || this.inFlight.has(service)) {
      this.inFlight.add(service);
      run();
      return true;
    }
    const at = this.waiting.findIndex((w) => comesBefore(service, w.service));
    this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { service, due, run });
    return false;
  }

  /** Why a queued restart waits, for its reason. */
  describeWait(): string {
    return `waiting for a restart slot: ${this.inFlight.size} restarts in flight (healing.maxConcurrentRestarts: ${this.cap()})`;
  }

  /** Restarts in flight now, and services waiting for a slot (in the order they will go). */
  get status(): { inFlight: string[]; queued: string[] } {
    return { inFlight: [...this.inFlight].map((s) => s.name), queued: this.waiting.map((w) => w.service.name) };
  }

  /** Whether `service` waits for a slot. */
  isQueued(service: ServiceRuntime): boolean {
    return this.waiting.some((w) => w.service === service);
  }

  /** Follow a state change: a restart ends when the service leaves `starting`, or leaves healing. */
  observe(service: ServiceRuntime, from: ServiceState, to: ServiceState): void {
    if (!this.inFlight.has(service)) return;
    if (from === "starting" || (to !== "backoff" && to !== "starting")) this.release(service);
  }

  /** The record is gone (a reload removed or replaced it): its slot and its place in the queue too. */
  forget(service: ServiceRuntime): void {
    this.waiting = this.waiting.filter((w) => w.service !== service);
    this.release(service);
  }

  private release(service: ServiceRuntime): void {
    if (!this.inFlight.delete(service)) return;
    const cap = this.cap();
    while (this.waiting.length > 0 && (cap === null || this.inFlight.size < cap)) {
      const next = this.waiting.shift()!;
      if (!next.due()) continue;
      this.inFlight.add(next.service);
      next.run();
    }
  }
}

function comesBefore(a: ServiceRuntime, b: ServiceRuntime): boolean {
  return a.config.phase !== b.config.phase ? a.config.phase < b.config.phase : a.order < b.order;
}
