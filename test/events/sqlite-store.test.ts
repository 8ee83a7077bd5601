import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteEventStore } from "../../src/events/sqlite-store";
import { FakeClock } from "../../src/lib/clock";
import { StorageHealth } from "../../src/lib/storage-health";
import { healingEvent, runRetentionContract, runStoreContract, statusEvent } from "./store-contract";

const dir = mkdtempSync(join(tmpdir(), "sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = () => join(dir, `state-${++files}`, "events.db");

runStoreContract("sqlite", () => new SqliteEventStore(freshFile()));
runRetentionContract("sqlite", (limits) => new SqliteEventStore(freshFile(), limits));

describe("SqliteEventStore", () => {
  test("a new store on the same file sees the old events, healing records and lastSeq", () => {
    const file = freshFile();
    const first = new SqliteEventStore(file);
    first.append(statusEvent(1));
    first.append(healingEvent("api", 1, 7));
    first.close(); // close flushes what is still pending
    const second = new SqliteEventStore(file);
    try {
      expect(second.lastSeq()).toBe(7);
      expect(second.since(0).map((e) => e.seq)).toEqual([1, 7]);
      expect(second.healing({ service: "api" }).map((h) => h.seq)).toEqual([7]);
      second.append(statusEvent(8));
      expect(second.since(7).map((e) => e.seq)).toEqual([8]);
    } finally {
      second.close();
    }
  });

  test("the database is in WAL mode and healing has a service index", () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    const db = new Database(file, { readonly: true });
    try {
      expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
      const indexes = db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'healing'").all() as { name: string }[];
      expect(indexes.map((i) => i.name)).toContain("healing_by_service");
    } finally {
      db.close();
    }
  });

  test("appends are batched: nothing hits the file until the flush timer or a full batch", async () => {
    const file = freshFile();
    const clock = new FakeClock();
    const store = new SqliteEventStore(file, { clock, flushMs: 50, batchSize: 100 });
    const onDisk = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.query("SELECT count(*) AS n FROM events").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    try {
      for (let seq = 1; seq <= 10; seq++) store.append(statusEvent(seq));
      expect(onDisk()).toBe(0);
      await clock.advance(50);
      expect(onDisk()).toBe(10);
      for (let seq = 11; seq <= 110; seq++) store.append(statusEvent(seq));
      expect(onDisk()).toBe(110); // the 100th pending event flushed the batch at once
    } finally {
      store.close();
    }
  });

  test("shrinking the limits prunes old rows on the next open", () => {
    const file = freshFile();
    const first = new SqliteEventStore(file);
    for (let seq = 1; seq <= 30; seq++) first.append(seq % 3 === 0 ? healingEvent("db", seq, seq) : statusEvent(seq));
    first.close();
    const second = new SqliteEventStore(file, { maxEvents: 5, maxHealing: 2 });
    try {
      expect(second.since(0).map((e) => e.seq)).toEqual([26, 27, 28, 29, 30]);
      expect(second.healing().map((h) => h.seq)).toEqual([30, 27]);
      expect(second.lastSeq()).toBe(30);
    } finally {
      second.close();
    }
  });

  test("append after close never throws into the emitter: the event is dropped and counted", () => {
    const clock = new FakeClock();
    const storage = new StorageHealth({ clock });
    const store = new SqliteEventStore(freshFile(), { clock, storage });
    store.close();
    store.append(statusEvent(1));
    expect(storage.status()).toMatchObject({ ok: true, droppedEvents: 1 });
  });

  test("the db and its -wal and -shm are created 0600, a folder it creates 0700, whatever the umask", () => {
    const file = join(dir, "private", "nested", "events.db");
    const umask = process.umask(0);
    let store: SqliteEventStore;
    try {
      store = new SqliteEventStore(file);
      store.append(statusEvent(1));
      store.flush();
      expect(statSync(join(dir, "private")).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, "private", "nested")).mode & 0o777).toBe(0o700);
      for (const name of ["events.db", "events.db-wal", "events.db-shm"]) expect(statSync(join(dir, "private", "nested", name)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(umask);
      store!.close();
    }
  });

  test("a db of ours left wider by an older version is narrowed to 0600 on open", () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    chmodSync(file, 0o644);
    new SqliteEventStore(file).close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test("a healing record's skipped dependencies are kept, and read back after a restart", () => {
    const file = freshFile();
    const skipped = [{ service: "postgres", reason: "protected: true" }];
    const first = new SqliteEventStore(file);
    first.append(healingEvent("app", 6, 1, { action: "restarted", tier: "dependencies", skipped }));
    first.append(healingEvent("app", 7, 2));
    first.close();
    const second = new SqliteEventStore(file);
    try {
      const [plain, withSkipped] = second.healing({ service: "app" });
      expect(withSkipped).toMatchObject({ seq: 1, skipped });
      expect(plain!.skipped).toBeUndefined();
    } finally {
      second.close();
    }
  });

  test("a history file from before the skipped column is upgraded on open, its rows kept", () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    const db = new Database(file);
    db.exec("DROP TABLE healing; CREATE TABLE healing (seq INTEGER PRIMARY KEY, service TEXT NOT NULL, action TEXT NOT NULL, attempt INTEGER NOT NULL, tier TEXT, reason TEXT NOT NULL, delay_ms INTEGER, ts INTEGER NOT NULL);");
    db.exec("INSERT INTO healing VALUES (3, 'api', 'detected', 0, NULL, 'exit code 1', NULL, 5000)");
    db.close();
    const store = new SqliteEventStore(file);
    try {
      store.append(healingEvent("app", 6, 4, { skipped: [{ service: "db", reason: "protected: true" }] }));
      expect(store.healing().map((h) => [h.seq, h.skipped])).toEqual([
        [4, [{ service: "db", reason: "protected: true" }]],
        [3, undefined],
      ]);
    } finally {
      store.close();
    }
  });

  test("a history file from before the crash-context columns keeps its rows and takes crash context from then on", () => {
    const file = freshFile();
    new SqliteEventStore(file).close();
    const db = new Database(file);
    db.exec("DROP TABLE healing; CREATE TABLE healing (seq INTEGER PRIMARY KEY, service TEXT NOT NULL, action TEXT NOT NULL, attempt INTEGER NOT NULL, tier TEXT, reason TEXT NOT NULL, delay_ms INTEGER, ts INTEGER NOT NULL, skipped TEXT);");
    db.exec("INSERT INTO healing VALUES (3, 'api', 'detected', 0, NULL, 'exited with code 1', NULL, 5000, NULL)");
    db.close();
    const context = [{ ts: 1, stream: "stderr" as const, line: "panic: boom" }];
    const store = new SqliteEventStore(file);
    try {
      store.append(healingEvent("api", 1, 4, { action: "detected", cause: "exit", exitCode: 1, context }));
      const [fresh, old] = store.healing({ service: "api" });
      expect(fresh).toMatchObject({ seq: 4, cause: "exit", exitCode: 1, context });
      expect(old).toEqual({ seq: 3, service: "api", action: "detected", attempt: 0, reason: "exited with code 1", ts: 5000 });
    } finally {
      store.close();
    }
  });
});
