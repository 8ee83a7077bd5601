/**
 * The SQLite store on a real full disk (a tmpfs filled to the last byte): appends never
 * throw, pending events stay bounded, reads answer from the file plus what is pending (the
 * whole store contract holds while every write fails), the failure is reported once and
 * retried on the injected clock, not on every append, and freeing space recovers it.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SqliteEventStore, type SqliteStoreOptions } from "../../src/events/sqlite-store";
import { StoreUnavailableError } from "../../src/events/store-unavailable";
import { FakeClock } from "../../src/lib/clock";
import { StorageHealth, type StorageChange, type StorageReporter } from "../../src/lib/storage-health";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";
import { healingEvent, runStoreContract, statusEvent } from "./store-contract";

const disk = mountTmpfs("2m");
afterAll(() => unmountTmpfs(disk.dir));
const skip = disk.skip !== null;
if (skip) console.warn(`skipped: the full-disk store tests: ${disk.skip}`);

const dbFile = () => join(disk.dir!, "events.db");
const filler = () => join(disk.dir!, "filler");

/** A fresh store on the tmpfs, then the tmpfs filled: every write from now on fails with SQLITE_FULL. */
function openOnFullDisk(options: SqliteStoreOptions = {}): SqliteEventStore {
  for (const name of readdirSync(disk.dir!)) rmSync(join(disk.dir!, name), { force: true });
  const store = new SqliteEventStore(dbFile(), options);
  fillDisk(filler());
  return store;
}

function rowsOnDisk(): number {
  const db = new Database(dbFile(), { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A StorageReporter that records what it is told and lets a StorageHealth do the retrying. */
function recordingHealth(clock: FakeClock) {
  const changes: StorageChange[] = [];
  const health = new StorageHealth({ clock, onChange: (change) => changes.push(change) });
  const failures: string[] = [];
  const reporter: StorageReporter = {
    failed: (source, error, retry) => (failures.push(source), health.failed(source, error, retry)),
    recovered: (source) => health.recovered(source),
    dropped: (kind, count) => health.dropped(kind, count),
  };
  return { health, reporter, changes, failures };
}

let contractFailures = 0;
const countingReporter: StorageReporter = { failed: () => void contractFailures++, recovered() {}, dropped() {} };
if (!skip) runStoreContract("sqlite while every write fails (disk full)", () => openOnFullDisk({ clock: new FakeClock(), storage: countingReporter }));

test.skipIf(skip)("(the contract above ran with its writes failing, not passing)", () => {
  expect(contractFailures).toBeGreaterThanOrEqual(5);
});

describe.skipIf(skip)(`SqliteEventStore on a full disk${skip ? ` (skipped: ${disk.skip})` : ""}`, () => {
  test("append never throws; pending events stay within maxPending, the oldest dropped and counted", () => {
    const clock = new FakeClock();
    const { health, reporter } = recordingHealth(clock);
    const store = openOnFullDisk({ clock, batchSize: 10, maxPending: 100, storage: reporter });
    try {
      for (let seq = 1; seq <= 300; seq++) store.append(statusEvent(seq));
      expect(store.pendingCount).toBe(100);
      expect(health.status()).toMatchObject({ ok: false, droppedEvents: 200 });
      expect(health.status().lastError).toContain("SQLITE_FULL");
      expect(store.since(0, 1000).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i));
      expect(store.lastSeq()).toBe(300);
    } finally {
      store.close();
      health.stop();
    }
  });

  test("the failure is reported once and retried on the clock, not on every append; freeing space recovers it", async () => {
    const clock = new FakeClock();
    const { health, reporter, changes, failures } = recordingHealth(clock);
    const store = openOnFullDisk({ clock, batchSize: 5, storage: reporter });
    try {
      store.append(statusEvent(1));
      await clock.advance(50); // the flush timer: the first write fails
      for (let seq = 2; seq <= 1000; seq++) store.append(seq % 10 === 0 ? healingEvent("api", seq, seq) : statusEvent(seq));
      await Promise.resolve();
      expect(failures).toHaveLength(1); // 999 appends, 199 "full batches": no write tried
      expect(changes.map((c) => c.kind)).toEqual(["failed"]);
      expect(changes[0]).toMatchObject({ kind: "failed", source: dbFile() });

      await clock.advance(500); // first background retry: still full
      expect(failures).toHaveLength(2);
      await clock.advance(1000); // second, after the backoff doubled
      expect(failures).toHaveLength(3);
      expect(health.status().ok).toBe(false);
      expect(rowsOnDisk()).toBe(0);

      rmSync(filler());
      await clock.advance(2000);
      expect(changes.map((c) => c.kind)).toEqual(["failed", "recovered"]);
      expect(health.status()).toMatchObject({ ok: true, droppedEvents: 0 });
      expect(rowsOnDisk()).toBe(1000);
      expect(store.healing({ service: "api", limit: 1 })[0].seq).toBe(1000);
      expect(clock.pendingCount).toBe(0); // healthy again: nothing left armed
    } finally {
      store.close();
      health.stop();
    }
  });

  test("a store whose file can no longer be read answers reads with StoreUnavailableError (503) naming the file", () => {
    for (const name of readdirSync(disk.dir!)) rmSync(join(disk.dir!, name), { force: true });
    const store = new SqliteEventStore(dbFile(), { clock: new FakeClock() });
    try {
      store.append(statusEvent(1));
      const other = new Database(dbFile());
      other.exec("DROP TABLE events; DROP TABLE healing");
      other.close();
      let error: unknown;
      try {
        store.since(0);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", status: 503 });
      expect((error as Error).message).toContain(`cannot read the event history ${dbFile()}`);
      expect((error as Error).message).toContain("no such table");
    } finally {
      store.close();
    }
  });
});
