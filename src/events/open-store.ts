/**
 * Open the history file, and never let a broken one take the fleet down: a file SQLite cannot
 * read (corrupt, not a database, a folder in its place) is moved aside as
 * `orchestrator.db.corrupt-<time>`, with its -wal and -shm, and a fresh one is started.
 * A full disk is not the file's fault: an existing history is opened without its -shm file
 * (exclusive locking, nothing has to grow), and one that cannot even be created is kept in
 * memory for this run; either is said in `degraded`. Anything else: StoreUnavailableError.
 */
import { existsSync, renameSync, statSync } from "node:fs";
import { describeCause } from "../lib/storage-health";
import { SqliteEventStore, type SqliteStoreOptions } from "./sqlite-store";
import { StoreUnavailableError } from "./store-unavailable";

export interface ReplacedStore {
  /** The history file, fresh now. */
  path: string;
  /** Where the unreadable one went. */
  movedTo: string;
  /** What SQLite said of it. */
  cause: string;
}

export interface OpenedStore {
  store: SqliteEventStore;
  replaced: ReplacedStore | null;
  /** How the store was opened when the disk did not allow the normal way, and why; null when it did. */
  degraded: { mode: "exclusive" | "memory"; cause: string } | null;
}

const UNREADABLE = /^(SQLITE_(CORRUPT|NOTADB|CANTOPEN|ERROR|IOERR_READ|IOERR_SHORT_READ)|EISDIR$)/;

export function openEventStore(path: string, options: SqliteStoreOptions, now: number): OpenedStore {
  let movedTo: string | null = null;
  let moveError: unknown = null;
  // moved while SQLite still holds it open: closing it would delete the -wal and -shm
  const onOpenError = (error: unknown) => {
    if (!isUnreadable(error)) return;
    try {
      movedTo = moveAside(path, now);
    } catch (e) {
      moveError = e;
    }
  };
  const existed = hasContent(path);
  try {
    return { store: new SqliteEventStore(path, { ...options, onOpenError }), replaced: null, degraded: null };
  } catch (error) {
    if (isDiskFull(error)) return openOnFullDisk(path, options, existed, error);
    if (!isUnreadable(error)) throw new StoreUnavailableError(path, error, "open");
    if (movedTo === null) {
      throw new StoreUnavailableError(path, new Error(`${describeCause(error)}, and moving it aside failed: ${describeCause(moveError)}`), "open");
    }
    try {
      return { store: new SqliteEventStore(path, options), replaced: { path, movedTo, cause: describeCause(error) }, degraded: null };
    } catch (again) {
      throw new StoreUnavailableError(path, again, "open");
    }
  }
}

// An existing history opens without growing anything; a new one cannot be created, so this run
// keeps its history in memory (its seqs start at 0, as they would in a new file).
function openOnFullDisk(path: string, options: SqliteStoreOptions, existed: boolean, error: unknown): OpenedStore {
  const cause = describeCause(error);
  try {
    if (existed) return { store: new SqliteEventStore(path, { ...options, exclusive: true }), replaced: null, degraded: { mode: "exclusive", cause } };
    return { store: new SqliteEventStore(":memory:", options), replaced: null, degraded: { mode: "memory", cause } };
  } catch (again) {
    throw new StoreUnavailableError(path, new Error(`${cause}, and opening it without growing it failed too: ${describeCause(again)}`), "open");
  }
}

const DISK_FULL = /^(SQLITE_FULL|SQLITE_IOERR_(SHMSIZE|SHMOPEN|WRITE|FSYNC|TRUNCATE)|ENOSPC|EDQUOT)$/;

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && DISK_FULL.test(code);
}

function hasContent(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

function isUnreadable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && UNREADABLE.test(code);
}

/** Rename PATH (and PATH-wal, PATH-shm when present) to PATH.corrupt-<time>; returns the new path. */
function moveAside(path: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/:/g, "-");
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, target);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  return target;
}
