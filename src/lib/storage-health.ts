/**
 * How the writers under `state.dir` (the event store, the log files) are doing, fleet-wide.
 * A writer whose write fails reports it with a retry function and keeps its data pending
 * (bounded); one timer, armed only while something is failing, retries them all with
 * backoff; a writer that succeeds again reports it. An episode (from the first failure to
 * the moment every writer works again) is announced once when it begins and once when it
 * ends, in a microtask, so a failure met inside `emit` never re-enters the emitter.
 */
import type { StorageStatus } from "../contract/system-view";
import type { Clock, Timer } from "./clock";

export type DropKind = "events" | "logLines";

/** The port a writer reports into; StorageHealth implements it. */
export interface StorageReporter {
  /** A write to `source` (a path) failed; `retry` is called in the background until `recovered(source)`. */
  failed(source: string, error: unknown, retry: () => void): void;
  /** `source` writes again. */
  recovered(source: string): void;
  /** `count` events or log lines were dropped (a bounded queue was full). */
  dropped(kind: DropKind, count: number): void;
}

export type StorageChange =
  | { kind: "failed"; source: string; error: string }
  | { kind: "recovered"; source: string; status: StorageStatus };

export interface StorageHealthOptions {
  clock: Clock;
  /** Told once when an episode begins and once when it ends. */
  onChange?: (change: StorageChange) => void;
  /** First retry after this long, doubling up to `maxRetryMs`. Defaults 500 ms and 5 s. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

export class StorageHealth implements StorageReporter {
  private readonly failing = new Map<string, () => void>();
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private lastError: string | null = null;
  private droppedEvents = 0;
  private droppedLogLines = 0;
  private timer: Timer | null = null;
  private delay: number;
  /** The source whose failure began the episode being announced, or null outside one. */
  private episode: string | null = null;
  private announcing = false;
  private stopped = false;

  constructor(private readonly options: StorageHealthOptions) {
    this.minRetryMs = options.minRetryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 5000;
    this.delay = this.minRetryMs;
  }

  failed(source: string, error: unknown, retry: () => void): void {
    this.lastError = `cannot write ${source}: ${describeCause(error)}`;
    if (this.stopped) return;
    this.failing.set(source, retry);
    this.timer ??= this.options.clock.setTimeout(() => this.retryAll(), this.delay);
    this.announceLater();
  }

  recovered(source: string): void {
    if (!this.failing.delete(source) || this.failing.size > 0) return;
    this.timer?.cancel();
    this.timer = null;
    this.delay = this.minRetryMs;
    this.announceLater();
  }

  dropped(kind: DropKind, count: number): void {
    if (kind === "events") this.droppedEvents += count;
    else this.droppedLogLines += count;
  }

  status(): StorageStatus {
    return { ok: this.failing.size === 0, lastError: this.lastError, droppedEvents: this.droppedEvents, droppedLogLines: this.droppedLogLines };
  }

  /** Stop retrying for good (the writers are closed); nothing more is announced or retried. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.failing.clear();
    this.episode = null;
  }

  // `timer` stays set while the retries run, so a retry that fails again arms no second timer.
  private retryAll(): void {
    for (const retry of [...this.failing.values()]) {
      try {
        retry();
      } catch {
        // a retry that throws is still failing; it stays in the map
      }
    }
    this.timer = null;
    if (this.failing.size === 0) return;
    this.delay = Math.min(this.delay * 2, this.maxRetryMs);
    this.timer = this.options.clock.setTimeout(() => this.retryAll(), this.delay);
  }

  private announceLater(): void {
    if (this.announcing) return;
    this.announcing = true;
    queueMicrotask(() => {
      this.announcing = false;
      const first = this.failing.keys().next();
      let change: StorageChange | null = null;
      if (!first.done && this.episode === null) {
        this.episode = first.value;
        change = { kind: "failed", source: first.value, error: this.lastError ?? "unknown error" };
      } else if (first.done && this.episode !== null) {
        change = { kind: "recovered", source: this.episode, status: this.status() };
        this.episode = null;
      }
      if (!change) return;
      try {
        this.options.onChange?.(change);
      } catch {
        // reporting must never break the writers
      }
    });
  }
}

/** An error's message with its code when the message does not already carry it: "database or disk is full (SQLITE_FULL)". */
export function describeCause(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  return typeof e?.code === "string" && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
