/**
 * What the state-dir lock file says, and who holds the lock: the record an orchestrator
 * writes into `orchestrator.lock` (pid, its start time, its API URL), a liveness check of
 * that pid against /proc, and the kernel's own word (/proc/locks) when the record is
 * missing, unreadable or stale.
 */
import { readFileSync, statSync } from "node:fs";
import { readProcStat } from "../process/proc-stats";

/** One JSON line in the lock file. `startTicks` tells a live holder from a reused pid. */
export interface LockRecord {
  pid: number;
  startTicks: number | null;
  api: string;
  /** false while the API is not listening yet (`api` is then the manifest's intended URL). */
  listening: boolean;
}

/** A run that left its record in the lock file: it did not stop cleanly (a clean stop removes the file). */
export interface PreviousRun {
  pid: number;
  api: string;
}

export function toPreviousRun(record: LockRecord): PreviousRun {
  return { pid: record.pid, api: record.api };
}

/** Who holds a state dir: an orchestrator (from its record), or some process (pid from /proc/locks, null when unknown). */
export type LockHolder = { orchestrator: true; pid: number; api: string; listening: boolean } | { orchestrator: false; pid: number | null };

/** The record for this process. */
export function ownRecord(api: string, listening: boolean): LockRecord {
  return { pid: process.pid, startTicks: readProcStat(process.pid)?.startTicks ?? null, api, listening };
}

export function formatRecord(record: LockRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** The record in `text`, or null when it is not one (empty, truncated, foreign content). */
export function parseRecord(text: string): LockRecord | null {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (!Number.isInteger(value.pid) || (value.pid as number) <= 0 || typeof value.api !== "string") return null;
    const startTicks = Number.isFinite(value.startTicks) ? (value.startTicks as number) : null;
    return { pid: value.pid as number, startTicks, api: value.api, listening: value.listening === true };
  } catch {
    return null;
  }
}

export function readRecordFile(path: string): LockRecord | null {
  try {
    return parseRecord(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** True when the record's pid runs (not a zombie) and, where the record has one, with the same start time. */
export function isRunning(record: LockRecord): boolean {
  const stat = readProcStat(record.pid);
  return stat !== null && (record.startTicks === null || stat.startTicks === record.startTicks);
}

/** The holder of the lock on `path`: the record's orchestrator when it still runs, else whoever /proc/locks names. */
export function identifyHolder(path: string, record: LockRecord | null): LockHolder {
  if (record && isRunning(record)) return { orchestrator: true, pid: record.pid, api: record.api, listening: record.listening };
  return { orchestrator: false, pid: findFlockHolder(path) };
}

/**
 * The pid /proc/locks gives for a flock on `path` (lines like
 * `1: FLOCK  ADVISORY  WRITE 4121 fe:00:2146836 0 EOF`), or null.
 */
export function findFlockHolder(path: string): number | null {
  let ino: bigint;
  let dev: bigint;
  let text: string;
  try {
    ({ ino, dev } = statSync(path, { bigint: true }));
    text = readFileSync("/proc/locks", "latin1");
  } catch {
    return null;
  }
  const device = `${hex((dev >> 8n) & 0xfffn | ((dev >> 32n) & ~0xfffn))}:${hex((dev & 0xffn) | ((dev >> 12n) & ~0xffn))}`;
  const held = text.split("\n").flatMap((line) => {
    const words = line.trim().split(/\s+/);
    if (words[1] !== "FLOCK") return []; // "->" marks a waiter, not a holder
    const [major, minor, inode = ""] = (words[5] ?? "").split(":");
    const pid = Number(words[4]);
    return /^\d+$/.test(inode) && BigInt(inode) === ino && pid > 0 ? [{ pid, sameDevice: `${major}:${minor}` === device }] : [];
  });
  // Overlay filesystems may show another device than stat(2) does: an inode match alone decides then.
  const holder = held.find((h) => h.sameDevice) ?? (held.length === 1 ? held[0] : undefined);
  return holder?.pid ?? null;
}

function hex(value: bigint): string {
  return value.toString(16).padStart(2, "0");
}
