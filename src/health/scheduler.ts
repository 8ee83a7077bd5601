/**
 * ProbeScheduler: runs each service's probe on an injected Clock, one probe per service at a time.
 *
 * startup mode probes fast (10 ms, doubling to 100 ms) until the first pass, then switches to
 * steady mode, which probes every `intervalMs` on the multiples of that interval (since the
 * epoch), so that all services probed every 5 s share one wake-up per 5 s, whenever each of them
 * turned healthy: see bench/probe-cost.ts and bench/idle-cpu.ts, where wake-ups, not the probes
 * themselves, dominate idle CPU. A service joining the grid (first pass, steady start) has its
 * first steady probe on the grid point nearest to one interval later, so between half and one and
 * a half intervals after; after that, exactly `intervalMs` apart. Services with different intervals
 * keep their own; they share a wake-up where their multiples meet. All services share one timer.
 */
import type { Clock, Timer } from "../lib/clock";
import type { Probe } from "./probe";
import type { ProbeResult } from "../contract/service-view";
import { startCheck } from "./probe-timing";

export type ProbeMode = "startup" | "steady";

export interface ProbeSchedule {
  intervalMs: number;
  timeoutMs: number;
}

export interface ProbeSchedulerOptions {
  /** First startup delay after start/setMode("startup"); doubles after each failure. Default 10. */
  startupFirstMs?: number;
  /** Cap of the startup delay. Default 100. */
  startupMaxMs?: number;
  /** Steady probes fall on multiples of this, capped at the interval. Default: the interval itself. */
  alignMs?: number;
  /** Probes due within this many ms of a wake-up run in it too. Default 5. */
  slackMs?: number;
}

export type ResultHandler = (result: ProbeResult, name: string) => void;

interface Entry {
  name: string;
  probe: Probe;
  schedule: ProbeSchedule;
  onResult: ResultHandler;
  mode: ProbeMode;
  /** When the next probe is due; null while one is in flight. */
  dueAt: number | null;
  startupDelayMs: number;
  /** The due time of the last steady probe: the next one is `intervalMs` after it. */
  lastRunAt: number;
  inFlight: Promise<ProbeResult> | null;
  /** Bumped by setMode: a result of an older generation is dropped (e.g. from before a restart). */
  generation: number;
}

export class ProbeScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly startupFirstMs: number;
  private readonly startupMaxMs: number;
  private readonly alignMs: number;
  private readonly slackMs: number;
  private timer: Timer | null = null;
  private timerAt = Infinity;
  private runs = 0;

  constructor(private readonly clock: Clock, options: ProbeSchedulerOptions = {}) {
    this.startupFirstMs = options.startupFirstMs ?? 10;
    this.startupMaxMs = options.startupMaxMs ?? 100;
    this.alignMs = options.alignMs ?? Infinity;
    this.slackMs = options.slackMs ?? 5;
  }

  /** Start probing `name` (replacing any earlier schedule for it), in startup mode unless told otherwise. */
  start(name: string, probe: Probe, schedule: ProbeSchedule, onResult: ResultHandler, mode: ProbeMode = "startup"): void {
    this.stop(name);
    const now = this.clock.now();
    const entry: Entry = { name, probe, schedule, onResult, mode, dueAt: null, startupDelayMs: this.startupFirstMs, lastRunAt: now, inFlight: null, generation: 0 };
    this.entries.set(name, entry);
    this.scheduleNext(entry, now);
    this.arm();
  }

  /** Stop probing `name`; a probe in flight finishes but its result is not delivered. */
  stop(name: string): void {
    if (!this.entries.delete(name)) return;
    this.arm();
  }

  stopAll(): void {
    this.entries.clear();
    this.arm();
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  modeOf(name: string): ProbeMode | undefined {
    return this.entries.get(name)?.mode;
  }

  /** Probes completed since construction (for /orchestrator/stats). */
  get probesRun(): number {
    return this.runs;
  }

  /** Switch mode; "startup" restarts the fast schedule and drops the result of a probe already in flight. */
  setMode(name: string, mode: ProbeMode): void {
    const entry = this.entries.get(name);
    if (!entry || (entry.mode === mode && mode === "steady")) return;
    entry.mode = mode;
    entry.generation++;
    entry.startupDelayMs = this.startupFirstMs;
    entry.lastRunAt = this.clock.now();
    if (!entry.inFlight) this.scheduleNext(entry, entry.lastRunAt);
    this.arm();
  }

  /** Probe now (or join the probe already in flight); undefined for an unknown service. */
  runNow(name: string): Promise<ProbeResult | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.resolve(undefined);
    if (entry.inFlight) return entry.inFlight;
    const result = this.run(entry, this.clock.now());
    this.arm();
    return result;
  }

  private run(entry: Entry, scheduledAt: number): Promise<ProbeResult> {
    const generation = entry.generation;
    entry.dueAt = null;
    if (entry.mode === "steady") entry.lastRunAt = scheduledAt;
    const inFlight = checkSafely(entry.probe, entry.schedule.timeoutMs, this.clock).then((result) => {
      entry.inFlight = null;
      if (this.entries.get(entry.name) !== entry) return result;
      this.runs++;
      if (generation === entry.generation) {
        if (entry.mode === "startup" && result.ok) {
          entry.mode = "steady";
          entry.lastRunAt = this.clock.now();
        }
        deliver(entry, result);
      }
      // the handler may have stopped, re-moded or re-run this service already
      if (this.entries.get(entry.name) === entry && !entry.inFlight && entry.dueAt === null) this.scheduleNext(entry, this.clock.now());
      // Only a probe now due before the armed timer moves it (whatever else the handler did re-armed
      // itself); a full arm() per result would scan every service per result: N² per aligned round.
      if (entry.dueAt !== null && entry.dueAt < this.timerAt) this.arm();
      return result;
    });
    entry.inFlight = inFlight;
    return inFlight;
  }

  private scheduleNext(entry: Entry, now: number): void {
    if (entry.mode === "startup") {
      entry.dueAt = now + entry.startupDelayMs;
      entry.startupDelayMs = Math.min(entry.startupDelayMs * 2, this.startupMaxMs);
      return;
    }
    entry.dueAt = nextSteadyDue(entry.lastRunAt, entry.schedule.intervalMs, this.alignMs, now);
  }

  /** Keep the single timer set for the earliest due probe. */
  private arm(): void {
    let earliest = Infinity;
    for (const entry of this.entries.values()) if (entry.dueAt !== null && entry.dueAt < earliest) earliest = entry.dueAt;
    if (earliest === this.timerAt) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = earliest;
    if (earliest === Infinity) return;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, earliest - this.clock.now()));
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      if (entry.dueAt !== null && entry.dueAt <= now + this.slackMs) this.run(entry, entry.dueAt);
    }
    this.arm();
  }
}

/**
 * The grid point (a multiple of `min(alignMs, intervalMs)`) nearest to `lastRunAt + intervalMs`,
 * rounding half up, and never in the past: for a `lastRunAt` on the grid that is exactly one
 * interval later; for one off the grid (a service joining), between half and one and a half
 * intervals later, so that it joins the round of the services already there.
 */
export function nextSteadyDue(lastRunAt: number, intervalMs: number, alignMs: number, now: number): number {
  const grid = Math.max(1, Math.min(alignMs, intervalMs));
  const nearest = Math.floor((lastRunAt + intervalMs + grid / 2) / grid) * grid;
  return nearest >= now ? nearest : Math.ceil(now / grid) * grid;
}

/** A probe that breaks its contract and rejects still yields a failed result. */
async function checkSafely(probe: Probe, timeoutMs: number, clock: Clock): Promise<ProbeResult> {
  try {
    return await probe.check(timeoutMs);
  } catch (error) {
    return startCheck(clock, timeoutMs).finish(false, undefined, `probe threw: ${String(error)}`);
  }
}

function deliver(entry: Entry, result: ProbeResult): void {
  try {
    entry.onResult(result, entry.name);
  } catch {
    // a throwing handler must not stop the schedule
  }
}
