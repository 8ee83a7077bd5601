/** The last N output lines of one service, kept in a fixed ring: O(1) push, bounded memory. */
import type { LogLine } from "../contract/output";

/** Lines kept per service unless told otherwise. */
export const DEFAULT_RING_CAPACITY = 1000;

export class LogRingBuffer {
  readonly capacity: number;
  private readonly slots: (LogLine | undefined)[];
  private next = 0;
  private count = 0;
  private pushed = 0;

  constructor(capacity = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LogRingBuffer: expected a positive integer capacity, got ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array(capacity);
  }

  /** Lines held now (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Lines ever pushed, including those since overwritten. */
  get total(): number {
    return this.pushed;
  }

  /** Add a line, overwriting the oldest when full. */
  push(entry: LogLine): void {
    this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.pushed++;
  }

  /** The newest `limit` lines (default all), oldest first. */
  lines(limit = this.count): LogLine[] {
    const n = Math.max(0, Math.min(limit, this.count));
    const out: LogLine[] = new Array(n);
    const start = (this.next - n + this.capacity) % this.capacity;
    for (let i = 0; i < n; i++) out[i] = this.slots[(start + i) % this.capacity] as LogLine;
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}
