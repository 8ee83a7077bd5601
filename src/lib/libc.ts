/**
 * The few libc calls Bun does not expose, through `bun:ffi` (works in the compiled binary
 * too): prctl(PR_SET_CHILD_SUBREAPER), waitpid(pid, WNOHANG) for one pid (with or without its
 * status), and flock(2) for
 * the state-dir lock. One dlopen, made on first use; where no libc can be opened (not Linux)
 * every call says so instead of throwing (loadLibcFlock throws, for its caller's fallback).
 */
import { dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";
import { constants } from "node:os";

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
/** errno when LOCK_NB finds the lock taken (EAGAIN = EWOULDBLOCK on Linux). */
export const EWOULDBLOCK = 11;

interface LibcSymbols {
  prctl(option: number, arg2: number, arg3: number, arg4: number, arg5: number): number;
  waitpid(pid: number, status: Pointer | null, options: number): number;
  flock(fd: number, operation: number): number;
  __errno_location(): Pointer | null;
}

// glibc, then musl (Alpine): the same calls exist in both.
const LIBC_NAMES = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const SYMBOLS = {
  prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

let loaded: { symbols: LibcSymbols } | { error: string } | undefined;

function openLibc(): { symbols: LibcSymbols } | { error: string } {
  if (loaded) return loaded;
  if (process.platform !== "linux") return (loaded = { error: `expected Linux, got ${process.platform}` });
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      return (loaded = { symbols: dlopen(name, SYMBOLS).symbols as unknown as LibcSymbols });
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return (loaded = { error: `cannot open libc through bun:ffi (${failures.join("; ")})` });
}

// errno right after the failed call: good enough for a message, not for control flow.
function lastErrno(symbols: LibcSymbols): number {
  const where = symbols.__errno_location();
  return where ? read.i32(where, 0) : 0;
}

/**
 * Make this process a child subreaper (`on`), or stop being one: orphaned descendants are
 * then reparented to it instead of PID 1. Returns null when done, else why it could not.
 */
export function setChildSubreaper(on: boolean): string | null {
  const libc = openLibc();
  if ("error" in libc) return libc.error;
  if (libc.symbols.prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) === 0) return null;
  return `prctl(PR_SET_CHILD_SUBREAPER) failed with errno ${lastErrno(libc.symbols)}`;
}

export type ReapResult = "reaped" | "running" | "not-a-child";

/**
 * waitpid(pid, WNOHANG) for exactly this pid. Only for processes this process adopted as a
 * subreaper: Bun reaps the children it spawned by their pids, and a wait on any other pid
 * (or waitpid(-1)) would steal their exit statuses.
 */
export function reapChild(pid: number): ReapResult {
  const libc = openLibc();
  if ("error" in libc || pid <= 0) return "not-a-child";
  const result = libc.symbols.waitpid(pid, null, WNOHANG);
  if (result === pid) return "reaped";
  return result === 0 ? "running" : "not-a-child";
}

export type ChildStatus = { state: "reaped"; code: number | null; signal: string | null } | { state: "running" } | { state: "not-a-child" };

/**
 * waitpid(pid, &status, WNOHANG) for exactly this pid, with how it ended: for a daemon this
 * process adopted as a subreaper and supervises (pidFile), whose exit status Bun never sees.
 */
export function reapChildStatus(pid: number): ChildStatus {
  const libc = openLibc();
  if ("error" in libc || pid <= 0) return { state: "not-a-child" };
  const status = new Int32Array(1);
  const result = libc.symbols.waitpid(pid, ptr(status), WNOHANG);
  if (result === 0) return { state: "running" };
  if (result !== pid) return { state: "not-a-child" };
  const word = status[0]!;
  const termsig = word & 0x7f;
  if (termsig === 0) return { state: "reaped", code: (word >> 8) & 0xff, signal: null };
  return { state: "reaped", code: null, signal: signalName(termsig) };
}

function signalName(number: number): string {
  const found = Object.entries(constants.signals).find(([, n]) => n === number);
  return found ? found[0] : `signal ${number}`;
}

export interface LibcFlock {
  /** flock(fd, operation): 0 on success, else the errno. */
  flock(fd: number, operation: number): number;
}

/**
 * flock(2). A flock belongs to the open file description, so the kernel drops it when the
 * last fd on it closes (a SIGKILL included). Throws, with dlopen's reason, where libc cannot be opened.
 */
export function loadLibcFlock(): LibcFlock {
  const libc = openLibc();
  if ("error" in libc) throw new Error(libc.error);
  const { symbols } = libc;
  return {
    flock(fd, operation) {
      if (symbols.flock(fd, operation) === 0) return 0;
      return lastErrno(symbols) || -1;
    },
  };
}
