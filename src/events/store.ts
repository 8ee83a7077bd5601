/** The EventStore port: where published events are kept for replay (`?since=`) and healing history. */
import type { OrchestratorEvent, StoredHealing } from "../contract/events";

export interface HealingQuery {
  service?: string;
  /** Default 100. */
  limit?: number;
}

export interface RetentionLimits {
  /** Most events kept; the oldest go first. Default 100,000. */
  maxEvents?: number;
  /** Most healing records kept. Default 10,000. */
  maxHealing?: number;
}

export const DEFAULT_MAX_EVENTS = 100_000;
export const DEFAULT_MAX_HEALING = 10_000;
export const DEFAULT_SINCE_LIMIT = 1000;
export const DEFAULT_HEALING_LIMIT = 100;

export interface EventStore {
  /** Keep an event; `healing` events are also kept as healing records. Seqs arrive increasing. */
  append(event: OrchestratorEvent): void;
  /** Events with seq greater than `seq`, oldest first, at most `limit` (default 1000). */
  since(seq: number, limit?: number): OrchestratorEvent[];
  /** The highest seq ever appended (0 when empty); survives restarts for a persistent store. */
  lastSeq(): number;
  /** Healing records, newest first. */
  healing(query?: HealingQuery): StoredHealing[];
  /** The newest `limit` events of `type`, newest first (incidents for `why`). */
  latest<T extends OrchestratorEvent["type"]>(type: T, limit: number): Extract<OrchestratorEvent, { type: T }>[];
  /** Flush anything pending and release the store. */
  close(): void;
}

/** Check a retention bound: a positive integer, or an error that says what was got. */
export function validateLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
