/**
 * The SQLite EventStore (bun:sqlite, WAL). Appends are buffered and written in one transaction
 * per batch (on a short timer, or at once when the batch is full), so thousands of events per
 * second do not cost a write each. Reads flush first, so they always see every appended event.
 * Retention keeps at most `maxEvents` events and `maxHealing` healing records, oldest dropped first.
 */
import { Database, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { systemClock, type Clock, type Timer } from "../lib/clock";
import { SCHEMA, type EventRow, type HealingRow, toEvent, toHealing } from "./sqlite-schema";
import {
  DEFAULT_HEALING_LIMIT,
  DEFAULT_MAX_EVENTS,
  DEFAULT_MAX_HEALING,
  DEFAULT_SINCE_LIMIT,
  validateLimit,
  type EventStore,
  type HealingQuery,
  type RetentionLimits,
  type StoredHealing,
} from "./store";
import type { HealingRecord, OrchestratorEvent } from "./types";

interface PendingRow {
  seq: number;
  ts: number;
  type: string;
  payload: string;
  healing?: HealingRecord;
}

export interface SqliteStoreOptions extends RetentionLimits {
  clock?: Clock;
  /** Pending events are written after at most this long. Default 50 ms. */
  flushMs?: number;
  /** …or as soon as this many are pending. Default 500. */
  batchSize?: number;
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly maxEvents: number;
  private readonly maxHealing: number;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly insertEvent: Statement;
  private readonly insertHealing: Statement;
  private readonly pruneEvents: Statement;
  private readonly pruneHealing: Statement;
  private readonly writeBatch: (rows: PendingRow[]) => void;
  /** Serialized at append time, so a later change to the emitted object cannot alter what is stored. */
  private pending: PendingRow[] = [];
  private timer: Timer | null = null;
  private eventCount: number;
  private healingCount: number;
  private last: number;
  private closed = false;

  /** Open (or create) the store at `path`; ":memory:" works too. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxEvents = validateLimit("maxEvents", options.maxEvents ?? DEFAULT_MAX_EVENTS);
    this.maxHealing = validateLimit("maxHealing", options.maxHealing ?? DEFAULT_MAX_HEALING);
    this.flushMs = options.flushMs ?? 50;
    this.batchSize = validateLimit("batchSize", options.batchSize ?? 500);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.db.exec(SCHEMA);
    this.insertEvent = this.db.prepare("INSERT OR IGNORE INTO events (seq, ts, type, payload) VALUES ($seq, $ts, $type, $payload)");
    this.insertHealing = this.db.prepare(
      "INSERT OR IGNORE INTO healing (seq, service, action, attempt, tier, reason, delay_ms, ts) VALUES ($seq, $service, $action, $attempt, $tier, $reason, $delayMs, $ts)",
    );
    // delete the `n` oldest rows: a walk of n entries along the primary key, not a scan
    this.pruneEvents = this.db.prepare("DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT $n)");
    this.pruneHealing = this.db.prepare("DELETE FROM healing WHERE seq IN (SELECT seq FROM healing ORDER BY seq LIMIT $n)");
    this.writeBatch = this.db.transaction((rows: PendingRow[]) => this.writeRows(rows));
    this.eventCount = this.countRows("events");
    this.healingCount = this.countRows("healing");
    const row = this.db.query("SELECT max(seq) AS s FROM (SELECT max(seq) AS seq FROM events UNION ALL SELECT max(seq) FROM healing)").get() as { s: number | null };
    this.last = row.s ?? 0;
    this.writeBatch([]); // applies retention if the limits shrank since the last run
  }

  append(event: OrchestratorEvent): void {
    if (this.closed) throw new Error(`event store is closed; cannot append seq ${event.seq}`);
    const row: PendingRow = { seq: event.seq, ts: event.ts, type: event.type, payload: JSON.stringify(event.payload) };
    if (event.type === "healing") row.healing = { ...event.payload };
    this.pending.push(row);
    this.last = Math.max(this.last, event.seq);
    if (this.pending.length >= this.batchSize) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flushInBackground(), this.flushMs);
  }

  since(seq: number, limit = DEFAULT_SINCE_LIMIT): OrchestratorEvent[] {
    this.flush();
    const rows = this.db.query("SELECT seq, ts, type, payload FROM events WHERE seq > $seq ORDER BY seq LIMIT $limit").all({ seq, limit }) as EventRow[];
    return rows.map(toEvent);
  }

  lastSeq(): number {
    return this.last;
  }

  healing({ service, limit = DEFAULT_HEALING_LIMIT }: HealingQuery = {}): StoredHealing[] {
    this.flush();
    const rows = (
      service === undefined
        ? this.db.query("SELECT * FROM healing ORDER BY seq DESC LIMIT $limit").all({ limit })
        : this.db.query("SELECT * FROM healing WHERE service = $service ORDER BY seq DESC LIMIT $limit").all({ service, limit })
    ) as HealingRow[];
    return rows.map(toHealing);
  }

  /** Write pending events now (also done by the timer, by a full batch, by reads and by close). */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.closed || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.writeBatch(batch);
    } catch (error) {
      this.pending = batch.concat(this.pending).slice(-this.maxEvents); // kept for the next try, still bounded
      throw error;
    }
  }

  /** The error of the last failed background flush, if the latest one failed (e.g. disk full). */
  lastFlushError: unknown = undefined;

  /** A timer-driven flush must not throw into the event loop; it keeps the error and retries later. */
  private flushInBackground(): void {
    try {
      this.flush();
      this.lastFlushError = undefined;
    } catch (error) {
      this.lastFlushError = error;
      this.timer = this.clock.setTimeout(() => this.flushInBackground(), Math.max(this.flushMs, 1000));
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private writeRows(rows: PendingRow[]): void {
    for (const { healing: h, ...event } of rows) {
      this.eventCount += this.insertEvent.run(event).changes;
      if (h) {
        const row = { seq: event.seq, service: h.service, action: h.action, attempt: h.attempt, tier: h.tier ?? null, reason: h.reason, delayMs: h.delayMs ?? null, ts: h.ts };
        this.healingCount += this.insertHealing.run(row).changes;
      }
    }
    if (this.eventCount > this.maxEvents) {
      this.pruneEvents.run({ n: this.eventCount - this.maxEvents });
      this.eventCount = this.maxEvents;
    }
    if (this.healingCount > this.maxHealing) {
      this.pruneHealing.run({ n: this.healingCount - this.maxHealing });
      this.healingCount = this.maxHealing;
    }
  }

  private countRows(table: "events" | "healing"): number {
    return (this.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
}
