/**
 * The lines a log file holds in memory until the disk takes them: its own bound, and a
 * budget shared by every service's file, so 200 services on a failing disk hold at most
 * the budget, not 200 times the per-file bound. Past either, the file's oldest lines go
 * first (the newest say most about what is happening now).
 */

/** Bytes of log text held in memory fleet-wide (pending and being written). */
export class PendingBudget {
  used = 0;

  constructor(readonly max: number) {}
}

/** 32 MiB for the whole fleet. */
export const DEFAULT_FLEET_PENDING_BYTES = 32 * 1024 * 1024;

export class PendingLines {
  private lines: string[] = [];
  /** Bytes of `lines`. */
  private queued = 0;
  /** Bytes of the batch being written. */
  private inFlight = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly budget: PendingBudget,
  ) {}

  get length(): number {
    return this.lines.length;
  }

  /** Queue a line; returns how many (oldest) lines were dropped to stay within the bounds. */
  push(line: string): number {
    const bytes = line.length + 1;
    this.lines.push(line);
    this.queued += bytes;
    this.budget.used += bytes;
    return this.queued + this.inFlight <= this.maxBytes && this.budget.used <= this.budget.max ? 0 : this.dropOldest();
  }

  /** Everything queued, as one batch to write (with `head` first, when given); settle it with `written` or `failed`. */
  take(head?: string): string[] {
    const batch = this.lines;
    if (head !== undefined) {
      batch.unshift(head);
      this.budget.used += head.length + 1;
      this.queued += head.length + 1;
    }
    this.lines = [];
    this.inFlight = this.queued;
    this.queued = 0;
    return batch;
  }

  /** The batch reached the disk. */
  written(): void {
    this.budget.used -= this.inFlight;
    this.inFlight = 0;
  }

  /** Not all of it did: `rest`, the lines not written, go back in front of what came since. Returns how many lines that drops. */
  failed(rest: string[]): number {
    let restBytes = 0;
    for (const line of rest) restBytes += line.length + 1;
    this.budget.used -= this.inFlight - restBytes;
    this.lines = this.lines.length > 0 ? rest.concat(this.lines) : rest;
    this.queued += restBytes;
    this.inFlight = 0;
    return this.dropOldest();
  }

  /** Drop everything still queued (the file is closing); returns how many lines that was. */
  clear(): number {
    const count = this.lines.length;
    this.budget.used -= this.queued;
    this.queued = 0;
    this.lines = [];
    return count;
  }

  private dropOldest(): number {
    let dropped = 0;
    while (this.lines.length > 0 && (this.queued + this.inFlight > this.maxBytes || this.budget.used > this.budget.max)) {
      const bytes = this.lines.shift()!.length + 1;
      this.queued -= bytes;
      this.budget.used -= bytes;
      dropped++;
    }
    return dropped;
  }
}
