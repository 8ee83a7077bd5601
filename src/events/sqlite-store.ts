/**
 * The SQLite EventStore (bun:sqlite, WAL). Appends are buffered and written in one transaction
 * per batch (on a short timer, or at once when the batch is full), so thousands of events per
 * second do not cost a write each. Reads flush first, so they always see every appended event.
 * Retention keeps at most `maxEvents` events and `maxHealing` healing records, oldest dropped first.
 *
 * A write that fails (disk full, I/O error) never throws: the batch stays pending in memory,
 * at most `maxPending` events (the oldest dropped and counted), the failure goes to the
 * StorageReporter, which retries in the background, and reads answer from the file plus what
 * is pending. Only a file that cannot be read makes a read throw (StoreUnavailableError, 503).
 */
import { Database, type Statement } from "bun:sqlite";
import { dirname } from "node:path";
import type { OrchestratorEvent, StoredHealing } from "../contract/events";
import { systemClock, type Clock, type Timer } from "../lib/clock";
import { makePrivateDir, makePrivateFile, narrowMode, PRIVATE_FILE_MODE } from "../lib/private-files";
import { StorageHealth, type StorageReporter } from "../lib/storage-health";
import {
  INSERT_EVENT,
  INSERT_HEALING,
  PRUNE_EVENTS,
  PRUNE_HEALING,
  SCHEMA,
  type EventRow,
  type HealingRow,
  toEvent,
  toHealing,
  toHealingRow,
  upgradeSchema,
} from "./sqlite-schema";
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
import { StoreUnavailableError } from "./store-unavailable";

/** Serialized at append time, so a later change to the emitted object cannot alter what is stored. */
type PendingRow = EventRow & { healing?: HealingRow };

export interface SqliteStoreOptions extends RetentionLimits {
  clock?: Clock;
  /** Pending events are written after at most this long. Default 50 ms. */
  flushMs?: number;
  /** …or as soon as this many are pending. Default 500. */
  batchSize?: number;
  /** Events held in memory while writes fail; past it the oldest are dropped (and counted). Default 10,000. */
  maxPending?: number;
  /** Told of failed writes (and retries them), drops and recoveries. Default: a StorageHealth of the store's own. */
  storage?: StorageReporter;
  /**
   * Called when the file cannot be opened, while it is still open: closing it makes SQLite
   * delete its -wal and -shm, so this is where they can be moved aside intact.
   */
  onOpenError?: (error: unknown) => void;
  /**
   * Open with `locking_mode = EXCLUSIVE`: WAL then keeps its index in memory instead of the
   * -shm file, so a file on a full disk still opens (nothing has to grow to read it); other
   * programs cannot read it while this store has it open.
   */
  exclusive?: boolean;
}

export const DEFAULT_MAX_PENDING = 10_000;

export class SqliteEventStore implements EventStore {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly maxEvents: number;
  private readonly maxHealing: number;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly storage: StorageReporter;
  private readonly ownStorage: StorageHealth | null = null;
  private readonly insertEvent: Statement;
  private readonly insertHealing: Statement;
  private readonly pruneEvents: Statement;
  private readonly pruneHealing: Statement;
  private readonly writeBatch: (rows: PendingRow[]) => { events: number; healing: number };
  private readonly statements: Statement[] = [];
  private pending: PendingRow[] = [];
  private timer: Timer | null = null;
  /** The error of the last failed write while writes fail; null while they succeed. */
  private failure: unknown = null;
  private eventCount: number;
  private healingCount: number;
  private last: number;
  private closed = false;

  /** Open (or create) the store at `path`; ":memory:" works too. Throws what SQLite says of a file it cannot open. */
  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxEvents = validateLimit("maxEvents", options.maxEvents ?? DEFAULT_MAX_EVENTS);
    this.maxHealing = validateLimit("maxHealing", options.maxHealing ?? DEFAULT_MAX_HEALING);
    this.flushMs = options.flushMs ?? 50;
    this.batchSize = validateLimit("batchSize", options.batchSize ?? 500);
    this.maxPending = validateLimit("maxPending", options.maxPending ?? DEFAULT_MAX_PENDING);
    if (!options.storage) this.ownStorage = new StorageHealth({ clock: this.clock });
    this.storage = options.storage ?? this.ownStorage!;
    try {
      if (path !== ":memory:") preparePrivateFiles(path);
    } catch (error) {
      options.onOpenError?.(error); // e.g. EISDIR: a folder where the file should be
      throw error;
    }
    this.db = new Database(path, { create: true, strict: true });
    try {
      if (options.exclusive) this.db.exec("PRAGMA locking_mode = EXCLUSIVE;");
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
      this.db.exec(SCHEMA);
      upgradeSchema(this.db);
      this.insertEvent = this.prepare(INSERT_EVENT);
      this.insertHealing = this.prepare(INSERT_HEALING);
      this.pruneEvents = this.prepare(PRUNE_EVENTS);
      this.pruneHealing = this.prepare(PRUNE_HEALING);
      this.writeBatch = this.db.transaction((rows: PendingRow[]) => this.writeRows(rows));
      this.eventCount = this.countRows("events");
      this.healingCount = this.countRows("healing");
      const row = this.db.query("SELECT max(seq) AS s FROM (SELECT max(seq) AS seq FROM events UNION ALL SELECT max(seq) FROM healing)").get() as { s: number | null };
      this.last = row.s ?? 0;
      this.commit(this.writeBatch([])); // applies retention if the limits shrank since the last run
    } catch (error) {
      try {
        options.onOpenError?.(error);
      } finally {
        this.closeDatabase();
      }
      throw error;
    }
  }

  /** Never throws: after close, or past `maxPending` while writes fail, events are dropped and counted. */
  append(event: OrchestratorEvent): void {
    if (this.closed) return this.storage.dropped("events", 1);
    const row: PendingRow = { seq: event.seq, ts: event.ts, type: event.type, payload: JSON.stringify(event.payload) };
    if (event.type === "healing") row.healing = toHealingRow(event.seq, event.payload);
    this.pending.push(row);
    this.last = Math.max(this.last, event.seq);
    if (this.failure !== null) this.dropOverflow(); // the retry is the StorageReporter's to run
    else if (this.pending.length >= this.batchSize) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), this.flushMs);
  }

  since(seq: number, limit = DEFAULT_SINCE_LIMIT): OrchestratorEvent[] {
    if (this.failure === null) this.flush();
    const rows = this.read(() => this.db.query("SELECT seq, ts, type, payload FROM events WHERE seq > $seq ORDER BY seq LIMIT $limit").all({ seq, limit }) as EventRow[]);
    // pending rows (kept while writes fail) all come after the stored ones
    const after = rows.length > 0 ? rows[rows.length - 1].seq : seq;
    for (let i = 0; i < this.pending.length && rows.length < limit; i++) if (this.pending[i].seq > after) rows.push(this.pending[i]);
    return rows.map(toEvent);
  }

  lastSeq(): number {
    return this.last;
  }

  healing({ service, limit = DEFAULT_HEALING_LIMIT }: HealingQuery = {}): StoredHealing[] {
    if (this.failure === null) this.flush();
    const rows: HealingRow[] = [];
    for (let i = this.pending.length - 1; i >= 0 && rows.length < limit; i--) {
      const h = this.pending[i].healing;
      if (h && (service === undefined || h.service === service)) rows.push(h);
    }
    if (rows.length < limit) {
      const rest = limit - rows.length;
      rows.push(
        ...this.read(
          () =>
            (service === undefined
              ? this.db.query("SELECT * FROM healing ORDER BY seq DESC LIMIT $rest").all({ rest })
              : this.db.query("SELECT * FROM healing WHERE service = $service ORDER BY seq DESC LIMIT $rest").all({ service, rest })) as HealingRow[],
        ),
      );
    }
    return rows.map(toHealing);
  }

  latest<T extends OrchestratorEvent["type"]>(type: T, limit: number): Extract<OrchestratorEvent, { type: T }>[] {
    if (this.failure === null) this.flush();
    const rows: EventRow[] = [];
    for (let i = this.pending.length - 1; i >= 0 && rows.length < limit; i--) if (this.pending[i].type === type) rows.push(this.pending[i]);
    const after = rows.length > 0 ? rows[rows.length - 1].seq : Number.MAX_SAFE_INTEGER;
    if (rows.length < limit) {
      const rest = limit - rows.length;
      rows.push(...this.read(() => this.db.query("SELECT seq, ts, type, payload FROM events WHERE type = $type AND seq < $after ORDER BY seq DESC LIMIT $rest").all({ type, after, rest }) as EventRow[]));
    }
    return rows.map(toEvent) as Extract<OrchestratorEvent, { type: T }>[];
  }

  /** Write pending events now (also done by the timer, a full batch, reads, retries and close). False when the write failed. */
  flush(): boolean {
    this.timer?.cancel();
    this.timer = null;
    if (this.closed || this.pending.length === 0) return !this.closed;
    const batch = this.pending;
    this.pending = [];
    try {
      this.commit(this.writeBatch(batch));
    } catch (error) {
      this.pending = this.pending.length > 0 ? batch.concat(this.pending) : batch;
      this.dropOverflow();
      this.failure = error;
      this.storage.failed(this.path, error, () => void this.flush());
      return false;
    }
    if (this.failure !== null) {
      this.failure = null;
      this.storage.recovered(this.path);
    }
    return true;
  }

  /** Events waiting in memory for a write (more than a batch only while writes fail). */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** One last write; what still cannot be written is counted as dropped. */
  close(): void {
    if (this.closed) return;
    if (!this.flush()) this.storage.dropped("events", this.pending.length);
    this.pending = [];
    this.closed = true;
    this.ownStorage?.stop();
    this.closeDatabase();
  }

  private prepare(sql: string): Statement {
    const statement = this.db.prepare(sql);
    this.statements.push(statement);
    return statement;
  }

  // A statement left unfinalized turns close into a deferred "zombie" close: the file stays
  // open and the WAL is neither checkpointed nor removed.
  private closeDatabase(): void {
    for (const statement of this.statements) statement.finalize();
    this.db.close();
  }

  private dropOverflow(): void {
    const excess = this.pending.length - this.maxPending;
    if (excess <= 0) return;
    if (excess === 1) this.pending.shift(); // O(1) here, where splice(0, 1) copies the array
    else this.pending.splice(0, excess);
    this.storage.dropped("events", excess);
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw new StoreUnavailableError(this.path, error);
    }
  }

  // Runs inside the batch's transaction: the counts are taken only once it commits.
  private writeRows(rows: PendingRow[]): { events: number; healing: number } {
    let events = this.eventCount;
    let healing = this.healingCount;
    for (const { healing: h, ...event } of rows) {
      events += this.insertEvent.run(event).changes;
      if (h) healing += this.insertHealing.run(h).changes;
    }
    if (events > this.maxEvents) {
      this.pruneEvents.run({ n: events - this.maxEvents });
      events = this.maxEvents;
    }
    if (healing > this.maxHealing) {
      this.pruneHealing.run({ n: healing - this.maxHealing });
      healing = this.maxHealing;
    }
    return { events, healing };
  }

  private commit(counts: { events: number; healing: number }): void {
    this.eventCount = counts.events;
    this.healingCount = counts.healing;
  }

  private countRows(table: "events" | "healing"): number {
    return (this.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
}

// The db is created 0600 before SQLite opens it, so its -wal and -shm (which copy its mode) are too.
function preparePrivateFiles(path: string): void {
  makePrivateDir(dirname(path));
  makePrivateFile(path);
  narrowMode(`${path}-wal`, PRIVATE_FILE_MODE);
  narrowMode(`${path}-shm`, PRIVATE_FILE_MODE);
}
