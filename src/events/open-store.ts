/**
 * Open the history file, and never let a broken one take the fleet down: a file SQLite cannot
 * read (corrupt, not a database, a folder in its place) is moved aside as
 * `orchestrator.db.corrupt-<time>`, with its -wal and -shm, and a fresh one is started.
 * Anything else (a full disk, a locked file) is not the file's fault: StoreUnavailableError.
 */
import { existsSync, renameSync } from "node:fs";
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
  try {
    return { store: new SqliteEventStore(path, { ...options, onOpenError }), replaced: null };
  } catch (error) {
    if (!isUnreadable(error)) throw new StoreUnavailableError(path, error, "open");
    if (movedTo === null) {
      throw new StoreUnavailableError(path, new Error(`${describeCause(error)}, and moving it aside failed: ${describeCause(moveError)}`), "open");
    }
    try {
      return { store: new SqliteEventStore(path, options), replaced: { path, movedTo, cause: describeCause(error) } };
    } catch (again) {
      throw new StoreUnavailableError(path, again, "open");
    }
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
