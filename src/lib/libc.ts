/**
 * The few libc calls Bun does not expose, through `bun:ffi` (works in the compiled binary
 * too): prctl(PR_SET_CHILD_SUBREAPER), waitpid(pid, WNOHANG) for one pid (with or without its
 * status), flock(2) for the state-dir lock, pipe2(2)/close(2)/fchown(2) for
 * real output pipes, madvise(2) to give back the executable's start-up pages, and the passwd/group look-ups (getpwnam_r, getgrnam_r, getgrouplist:
 * the same NSS answers initgroups(3) would give). One dlopen, made on first use; where no libc
 * can be opened (not Linux) every call says so instead of throwing (loadLibcFlock, createPipe
 * and the look-ups throw, for their callers).
 */
import { CString, dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";
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
  pipe2(fds: Pointer, flags: number): number;
  close(fd: number): number;
  fchown(fd: number, uid: number, gid: number): number;
  madvise(address: number, length: number, advice: number): number;
  getpwnam_r(name: Pointer, entry: Pointer, buffer: Pointer, size: number, result: Pointer): number;
  getpwuid_r(uid: number, entry: Pointer, buffer: Pointer, size: number, result: Pointer): number;
  getgrnam_r(name: Pointer, entry: Pointer, buffer: Pointer, size: number, result: Pointer): number;
  getgrgid_r(gid: number, entry: Pointer, buffer: Pointer, size: number, result: Pointer): number;
  getgrouplist(user: Pointer, gid: number, groups: Pointer, count: Pointer): number;
  __errno_location(): Pointer | null;
}

// glibc, then musl (Alpine): the same calls exist in both.
const LIBC_NAMES = ["libc.so.6", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
const SYMBOLS = {
  prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  fchown: { args: [FFIType.i32, FFIType.u32, FFIType.u32], returns: FFIType.i32 },
  madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
  getpwnam_r: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  getpwuid_r: { args: [FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  getgrnam_r: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  getgrgid_r: { args: [FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  getgrouplist: { args: [FFIType.ptr, FFIType.u32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
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

/** open libc or throw with dlopen's reason: for the calls whose callers report the failure themselves. */
function requireLibc(): LibcSymbols {
  const libc = openLibc();
  if ("error" in libc) throw new Error(libc.error);
  return libc.symbols;
}

const O_CLOEXEC = 0o2000000;

/**
 * pipe2(O_CLOEXEC): [read end, write end]. A real pipe, unlike Bun.spawn's "pipe" (a
 * socketpair), so a child can open /dev/stdout or /proc/self/fd/1. Throws with the errno.
 */
export function createPipe(): [number, number] {
  const symbols = requireLibc();
  const fds = new Int32Array(2);
  if (symbols.pipe2(ptr(fds), O_CLOEXEC) !== 0) throw new Error(`pipe2 failed with errno ${lastErrno(symbols)}`);
  return [fds[0]!, fds[1]!];
}

/** close(2); a bad or already closed fd is ignored (there is nothing left to release). */
export function closeFd(fd: number): void {
  const libc = openLibc();
  if (!("error" in libc) && fd >= 0) libc.symbols.close(fd);
}

/** madvise(2) advice (Linux 5.4+): reclaim these pages now; clean file pages are dropped, to be read again on first touch. */
export const MADV_PAGEOUT = 21;

/** madvise(2) over [address, address + length): 0, or the errno (or why libc is missing). */
export function adviseMemory(address: number, length: number, advice: number): number | string {
  const libc = openLibc();
  if ("error" in libc) return libc.error;
  return libc.symbols.madvise(address, length, advice) === 0 ? 0 : lastErrno(libc.symbols) || -1;
}

/**
 * fchown(2). A pipe's inode belongs to its creator with mode 0600, and opening
 * /dev/stdout re-opens that inode: a service running as another user needs it to be its own.
 * Throws with the errno.
 */
export function changeOwner(fd: number, uid: number, gid: number): void {
  const symbols = requireLibc();
  if (symbols.fchown(fd, uid, gid) !== 0) throw new Error(`fchown failed with errno ${lastErrno(symbols)}`);
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

const ERANGE = 34;
const MAX_LOOKUP_BUFFER = 1 << 20;
const cString = (text: string) => Buffer.from(`${text}\0`);

/**
 * One `get*_r` call with a buffer that grows on ERANGE; `readEntry` reads the entry found
 * while its strings (which point into the buffer) are still alive. Nothing found: no call.
 * Throws with the errno on any other failure.
 */
function lookUpInto(entrySize: number, call: (entry: Pointer, buffer: Pointer, size: number, result: Pointer) => number, readEntry: (at: Pointer) => void): void {
  const entry = new Uint8Array(entrySize);
  const result = new BigUint64Array(1);
  for (let size = 16 * 1024; size <= MAX_LOOKUP_BUFFER; size *= 4) {
    const buffer = new Uint8Array(size);
    const status = call(ptr(entry), ptr(buffer), size, ptr(result));
    if (status === ERANGE) continue;
    if (status !== 0) throw new Error(`look-up failed with errno ${status}`);
    if (result[0] !== 0n) readEntry(Number(result[0]) as Pointer);
    return;
  }
  throw new Error(`look-up needs more than ${MAX_LOOKUP_BUFFER} bytes`);
}

// struct passwd (64-bit glibc and musl): name, passwd, uid, gid, gecos, dir, shell.
function readPasswd(at: Pointer): PasswdEntry {
  return { name: new CString(read.ptr(at, 0) as Pointer).toString(), uid: read.u32(at, 16), gid: read.u32(at, 20), home: new CString(read.ptr(at, 32) as Pointer).toString() };
}

// struct group: name, passwd, gid, members.
function readGroup(at: Pointer): GroupEntry {
  return { name: new CString(read.ptr(at, 0) as Pointer).toString(), gid: read.u32(at, 16) };
}

/** The passwd entry of a user name or uid (through NSS, as setpriv and initgroups see it), or null. Throws when libc cannot answer. */
export function findUser(user: string | number): PasswdEntry | null {
  const symbols = requireLibc();
  const name = typeof user === "string" ? cString(user) : null;
  let found: PasswdEntry | null = null;
  lookUpInto(48, (entry, buffer, size, result) => (name ? symbols.getpwnam_r(ptr(name), entry, buffer, size, result) : symbols.getpwuid_r(user as number, entry, buffer, size, result)), (at) => (found = readPasswd(at)));
  return found;
}

/** The group entry of a group name or gid, or null. Throws when libc cannot answer. */
export function findGroup(group: string | number): GroupEntry | null {
  const symbols = requireLibc();
  const name = typeof group === "string" ? cString(group) : null;
  let found: GroupEntry | null = null;
  lookUpInto(32, (entry, buffer, size, result) => (name ? symbols.getgrnam_r(ptr(name), entry, buffer, size, result) : symbols.getgrgid_r(group as number, entry, buffer, size, result)), (at) => (found = readGroup(at)));
  return found;
}

/** getgrouplist(3): `gid` and every group that lists `user` as a member: what initgroups(user, gid) sets. */
export function listUserGroups(user: string, gid: number): number[] {
  const symbols = requireLibc();
  const name = cString(user);
  for (let capacity = 64; capacity <= 65536; capacity *= 4) {
    const groups = new Uint32Array(capacity);
    const count = new Int32Array([capacity]);
    if (symbols.getgrouplist(ptr(name), gid, ptr(groups), ptr(count)) >= 0) return [...groups.subarray(0, count[0])];
  }
  throw new Error(`getgrouplist: more than 65536 groups for ${user}`);
}
