/** openEventStore: a history file SQLite cannot read is moved aside (with its -wal/-shm) and a fresh one started. */
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEventStore } from "../../src/events/open-store";
import { SqliteEventStore } from "../../src/events/sqlite-store";
import { FakeClock } from "../../src/lib/clock";
import { statusEvent } from "./store-contract";

const root = mkdtempSync(join(tmpdir(), "open-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => {
  const dir = join(root, `state-${++dirs}`);
  mkdirSync(dir);
  return dir;
};
const clock = new FakeClock(Date.UTC(2026, 11, 1, 21, 45, 37, 123));
const STAMP = "2026-12-01T21-45-37.123Z";

test("a readable history file is opened as it is", () => {
  const file = join(freshDir(), "orchestrator.db");
  const first = new SqliteEventStore(file);
  first.append(statusEvent(4));
  first.close();
  const { store, replaced } = openEventStore(file, { clock }, clock.now());
  try {
    expect(replaced).toBeNull();
    expect(store.lastSeq()).toBe(4);
  } finally {
    store.close();
  }
});

test("a file that is not a database is moved aside with its -wal and -shm, and a fresh store starts", () => {
  const dir = freshDir();
  const file = join(dir, "orchestrator.db");
  writeFileSync(file, "this is not a database ".repeat(300));
  writeFileSync(`${file}-wal`, "garbage wal");
  writeFileSync(`${file}-shm`, "garbage shm");
  const { store, replaced } = openEventStore(file, { clock }, clock.now());
  try {
    const movedTo = `${file}.corrupt-${STAMP}`;
    expect(replaced).toEqual({ path: file, movedTo, cause: "file is not a database (SQLITE_NOTADB)" });
    expect(readFileSync(movedTo, "utf8")).toStartWith("this is not a database");
    expect(readFileSync(`${movedTo}-wal`, "utf8")).toBe("garbage wal");
    expect(existsSync(`${movedTo}-shm`)).toBe(true); // SQLite rewrites the -shm (an index it rebuilds); it moves along all the same
    expect(store.lastSeq()).toBe(0);
    store.append(statusEvent(1));
    expect(store.since(0).map((e) => e.seq)).toEqual([1]);
  } finally {
    store.close();
  }
});

test("a database whose pages are damaged is replaced too", () => {
  const dir = freshDir();
  const file = join(dir, "orchestrator.db");
  const first = new SqliteEventStore(file);
  for (let seq = 1; seq <= 2000; seq++) first.append(statusEvent(seq));
  first.close();
  const db = new Database(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)"); // every page in the file itself, none left in the -wal
  db.close();
  const bytes = readFileSync(file);
  bytes.fill(0xa5, 4096, bytes.length); // keep the header, wreck every page after the first
  writeFileSync(file, bytes);
  const { store, replaced } = openEventStore(file, { clock }, clock.now());
  try {
    expect(replaced?.cause).toMatch(/SQLITE_(CORRUPT|NOTADB)|malformed/);
    expect(store.since(0)).toEqual([]);
  } finally {
    store.close();
  }
});

test("a folder where the file should be is moved aside; a second replacement in the same millisecond gets its own name", () => {
  const dir = freshDir();
  const file = join(dir, "orchestrator.db");
  mkdirSync(file);
  openEventStore(file, { clock }, clock.now()).store.close();
  writeFileSync(file, "garbage again");
  const { store, replaced } = openEventStore(file, { clock }, clock.now());
  store.close();
  expect(replaced?.movedTo).toBe(`${file}.corrupt-${STAMP}-2`);
  expect(readdirSync(dir).filter((name) => name.includes("corrupt")).sort()).toEqual([`orchestrator.db.corrupt-${STAMP}`, `orchestrator.db.corrupt-${STAMP}-2`]);
  expect(existsSync(file)).toBe(true);
});
