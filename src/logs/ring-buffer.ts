/**
 * The last N output lines of one service, kept in a ring: O(1) push, bounded memory. The ring
 * grows with its lines up to `capacity` instead of being allocated whole: a slot costs 8 bytes,
 * so 1,000 empty slots would be 8 KiB per service for a service that prints a line or two.
 */
import type { LogLine } from "../contract/output";

/** Lines kept per service unless told otherwise. */
export const DEFAULT_RING_CAPACITY = 1000;

export class LogRingBuffer {
  readonly capacity: number;
  private readonly slots: LogLine[] = [];
  /** Where the next line goes once the ring is full (until then, the end of `slots`). */
  private next = 0;
  private pushed = 0;

  constructor(capacity = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LogRingBuffer: expected a positive integer capacity, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Lines held now (at most `capacity`). */
  get size(): number {
    return this.slots.length;
  }

  /** Lines ever pushed, including those since overwritten. */
  get total(): number {
    return this.pushed;
  }

  /** Add a line, overwriting the oldest when full. */
  push(entry: LogLine): void {
    if (this.slots.length < this.capacity) this.slots.push(entry);
    else this.slots[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.pushed++;
  }

  /** The newest `limit` lines (default all), oldest first. */
  lines(limit = this.slots.length): LogLine[] {
    const n = Math.max(0, Math.min(limit, this.slots.length));
    const out: LogLine[] = new Array(n);
    const start = (this.next - n + this.capacity) % this.capacity;
    for (let i = 0; i < n; i++) out[i] = this.slots[(start + i) % this.capacity]!;
    return out;
  }

  clear(): void {
    this.slots.length = 0;
    this.next = 0;
  }
}
