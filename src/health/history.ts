/** Recent probe results: the last 100 per service and the latest result. (Failures in a row are the service record's: they restart with each process.) */
import type { ProbeResult } from "../contract/service-view";

export const HISTORY_LIMIT = 100;

/** One service's results in a fixed ring: push is O(1) and memory never grows past `limit`. */
export class ProbeHistory {
  private readonly ring: ProbeResult[] = [];
  private next = 0;

  constructor(readonly limit = HISTORY_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive integer, got ${limit}`);
  }

  push(result: ProbeResult): void {
    this.ring[this.next] = result;
    this.next = (this.next + 1) % this.limit;
  }

  get size(): number {
    return this.ring.length;
  }

  latest(): ProbeResult | undefined {
    if (this.ring.length === 0) return undefined;
    return this.ring[(this.next - 1 + this.limit) % this.limit];
  }

  /** Oldest first; with `limit`, only the newest `limit` results. */
  list(limit = this.limit): ProbeResult[] {
    const count = Math.min(Math.max(0, limit), this.ring.length);
    const out: ProbeResult[] = new Array(count);
    const start = this.ring.length < this.limit ? this.ring.length - count : this.next + this.limit - count;
    for (let i = 0; i < count; i++) out[i] = this.ring[(start + i) % this.limit];
    return out;
  }
}
