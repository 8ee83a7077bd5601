/** Tables of the SQLite event store, and row ↔ value conversion. */
import type { StoredHealing, HealingRecord, OrchestratorEvent } from "../contract/events";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS healing (
  seq INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  action TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  tier TEXT,
  reason TEXT NOT NULL,
  delay_ms INTEGER,
  ts INTEGER NOT NULL,
  skipped TEXT,
  cause TEXT,
  exit_code INTEGER,
  signal TEXT,
  context TEXT
);
CREATE INDEX IF NOT EXISTS healing_by_service ON healing (service, seq);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, seq);
`;

/** Columns added since the first release, and how: a history file written by an older version gets them on open. */
const ADDED_COLUMNS: { table: string; column: string; definition: string }[] = [
  { table: "healing", column: "skipped", definition: "skipped TEXT" },
  // issue 17: what a failure was and its crash context
  { table: "healing", column: "cause", definition: "cause TEXT" },
  { table: "healing", column: "exit_code", definition: "exit_code INTEGER" },
  { table: "healing", column: "signal", definition: "signal TEXT" },
  { table: "healing", column: "context", definition: "context TEXT" },
];

/** Bring the tables of an older history file up to SCHEMA (adds missing columns; never drops or rewrites rows). */
export function upgradeSchema(db: { query(sql: string): { all(): unknown[] }; exec(sql: string): void }): void {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.query(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${definition}`);
  }
}

export interface EventRow {
  seq: number;
  ts: number;
  type: OrchestratorEvent["type"];
  payload: string;
}

export interface HealingRow {
  seq: number;
  service: string;
  action: HealingRecord["action"];
  attempt: number;
  tier: HealingRecord["tier"] | null;
  reason: string;
  delay_ms: number | null;
  ts: number;
  /** JSON of HealingRecord.skipped, or null. */
  skipped: string | null;
  cause: HealingRecord["cause"] | null;
  exit_code: number | null;
  signal: string | null;
  /** JSON of HealingRecord.context (the crash context), or null. */
  context: string | null;
}

/** Statements the store writes with (named parameters are the column names). */
export const INSERT_EVENT = "INSERT OR IGNORE INTO events (seq, ts, type, payload) VALUES ($seq, $ts, $type, $payload)";
export const INSERT_HEALING =
    "INSERT OR IGNORE INTO healing (seq, service, action, attempt, tier, reason, delay_ms, ts, skipped, cause, exit_code, signal, context) VALUES ($seq, $service, $action, $attempt, $tier, $reason, $delay_ms, $ts, $skipped, $cause, $exit_code, $signal, $context)";
// delete the `n` oldest rows: a walk of n entries along the primary key, not a scan
export const PRUNE_EVENTS = "DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT $n)";
export const PRUNE_HEALING = "DELETE FROM healing WHERE seq IN (SELECT seq FROM healing ORDER BY seq LIMIT $n)";

export function toEvent(row: EventRow): OrchestratorEvent {
  return { seq: row.seq, ts: row.ts, type: row.type, payload: JSON.parse(row.payload) } as OrchestratorEvent;
}

/** The row a healing record is written as (and, while it waits in memory, read back from). */
export function toHealingRow(seq: number, h: HealingRecord): HealingRow {
  const skipped = h.skipped ? JSON.stringify(h.skipped) : null;
  const context = h.context ? JSON.stringify(h.context) : null;
  return {
    seq,
    service: h.service,
    action: h.action,
    attempt: h.attempt,
    tier: h.tier ?? null,
    reason: h.reason,
    delay_ms: h.delayMs ?? null,
    ts: h.ts,
    skipped,
    cause: h.cause ?? null,
    exit_code: h.exitCode ?? null,
    signal: h.signal ?? null,
    context,
  };
}

export function toHealing(row: HealingRow): StoredHealing {
  const record: StoredHealing = { seq: row.seq, service: row.service, action: row.action, attempt: row.attempt, reason: row.reason, ts: row.ts };
  if (row.tier !== null) record.tier = row.tier;
  if (row.delay_ms !== null) record.delayMs = row.delay_ms;
  if (row.skipped) record.skipped = JSON.parse(row.skipped) as NonNullable<StoredHealing["skipped"]>;
  if (row.cause) record.cause = row.cause;
  if (row.exit_code !== null) record.exitCode = row.exit_code;
  if (row.signal) record.signal = row.signal;
  if (row.context) record.context = JSON.parse(row.context) as NonNullable<StoredHealing["context"]>;
  return record;
}
