/** An in-memory EventStore: the fake for tests and for runs without a state directory. */
import type { OrchestratorEvent, StoredHealing } from "../contract/events";
import {
  DEFAULT_HEALING_LIMIT,
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_HEALING,
  DEFAULT_SINCE_LIMIT,
  validateLimit,
  type EventStore,
  type HealingQuery,
  type RetentionLimits,
} from "./store";

/** A bounded FIFO: amortised O(1) push and drop-oldest. */
class BoundedLog<T> {
  private items: T[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length - this.head > this.max) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get length(): number {
    return this.items.length - this.head;
  }

  at(index: number): T {
    return this.items[this.head + index];
  }
}

export class MemoryEventStore implements EventStore {
  private readonly events: BoundedLog<OrchestratorEvent>;
  private readonly records: BoundedLog<StoredHealing>;
  private last = 0;

  constructor(limits: RetentionLimits = {}) {
    this.events = new BoundedLog(validateLimit("maxEvents", limits.maxEvents ?? DEFAULT_MAX_EVENTS));
    this.records = new BoundedLog(validateLimit("maxHealing", limits.maxHealing ?? DEFAULT_MAX_HEALING));
  }

  append(event: OrchestratorEvent): void {
    this.events.push(structuredClone(event));
    if (event.type === "healing") this.records.push({ ...event.payload, seq: event.seq });
    this.last = Math.max(this.last, event.seq);
  }

  since(seq: number, limit = DEFAULT_SINCE_LIMIT): OrchestratorEvent[] {
    const out: OrchestratorEvent[] = [];
    for (let i = this.firstAfter(seq); i < this.events.length && out.length < limit; i++) out.push(structuredClone(this.events.at(i)));
    return out;
  }

  lastSeq(): number {
    return this.last;
  }

  healing({ service, limit = DEFAULT_HEALING_LIMIT }: HealingQuery = {}): StoredHealing[] {
    const out: StoredHealing[] = [];
    for (let i = this.records.length - 1; i >= 0 && out.length < limit; i--) {
      const record = this.records.at(i);
      if (service === undefined || record.service === service) out.push({ ...record });
    }
    return out;
  }

  latest<T extends OrchestratorEvent["type"]>(type: T, limit: number): Extract<OrchestratorEvent, { type: T }>[] {
    const out: Extract<OrchestratorEvent, { type: T }>[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const event = this.events.at(i);
      if (event.type === type) out.push(structuredClone(event) as Extract<OrchestratorEvent, { type: T }>);
    }
    return out;
  }

  close(): void {}

  /** Binary search: index of the first event with seq > `seq`. */
  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events.at(mid).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
