/**
 * One orchestrator per state dir. `up` takes an exclusive, non-blocking flock(2) on
 * `state.dir/orchestrator.lock` before it opens the store, starts a service or binds the
 * API, and writes its pid and API URL into the file. The kernel drops a flock when the
 * holder dies (SIGKILL included), so a stale file never blocks the next start; its old
 * content is simply overwritten. The fd is O_CLOEXEC: no service or watchdog inherits it.
 * Where flock cannot be had (no libc, a filesystem without flock), an atomically created
 * pid file with a liveness check takes its place (state-lock-pid-file.ts); never no lock.
 * A clean stop removes the file, so a record found there from a process that no longer runs
 * is a run that did not stop cleanly (SIGKILL, a crash, power loss): `previousRun`.
 */
import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { EWOULDBLOCK, LOCK_EX, LOCK_NB, loadLibcFlock, type LibcFlock } from "../lib/libc";
import { StateDirInUseError, StateLockError, describeFsError } from "./state-lock-errors";
import { formatRecord, identifyHolder, isRunning, ownRecord, parseRecord, toPreviousRun, type LockRecord, type PreviousRun } from "./state-lock-holder";
import { acquirePidFile } from "./state-lock-pid-file";

export { StateDirInUseError, StateLockError } from "./state-lock-errors";
export type { PreviousRun } from "./state-lock-holder";

export const LOCK_FILE = "orchestrator.lock";
/** Linux's O_CLOEXEC (the same on x86_64 and arm64); node:fs `constants` does not list it. */
const O_CLOEXEC = 0o2000000;
/** How often to start over when a stopping orchestrator removed the file between our open and flock. */
const ATTEMPTS = 5;

export interface StateLock {
  readonly path: string;
  /** "flock", or "pid-file" when flock could not be used (`fallbackReason` says why). */
  readonly method: "flock" | "pid-file";
  readonly fallbackReason?: string;
  /** The run before this one, when it did not stop cleanly: its record was still in the lock file. */
  readonly previousRun: PreviousRun | null;
  /** Record the URL the API really listens on. Never throws (a full disk only leaves the old record). */
  markListening(url: string): void;
  /** Remove the lock file and drop the lock; idempotent. */
  release(): void;
  /** Drop the lock but leave the file with this run's record (an exit that is not a clean stop): the next start says so. Idempotent. */
  abandon(): void;
}

export interface AcquireOptions {
  /** The URL the API is meant to listen on (from the manifest), recorded until `markListening`. */
  api: string;
  /** The flock binding, or how to load it; null forces the pid-file fallback. Default: libc through bun:ffi. */
  flock?: LibcFlock | null | (() => LibcFlock);
}

/**
 * Lock `stateDir` (created 0700 when missing) for this process. Throws StateDirInUseError
 * naming the holder when another orchestrator (or any process) has it, StateLockError when
 * the lock file cannot be created.
 */
export function acquireStateLock(stateDir: string, options: AcquireOptions): StateLock {
  const path = join(stateDir, LOCK_FILE);
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StateLockError(`cannot create state.dir ${stateDir} (${describeFsError(err)}); the orchestrator needs a folder it can write`, err);
  }
  const binding = loadBinding(options.flock);
  if (typeof binding === "string") return acquirePidFile(stateDir, path, options.api, binding);
  const locked = acquireFlock(stateDir, path, options.api, binding);
  return typeof locked === "string" ? acquirePidFile(stateDir, path, options.api, locked) : locked;
}

/** The flock binding, or why there is none. */
function loadBinding(option: AcquireOptions["flock"]): LibcFlock | string {
  if (option === null) return "flock(2) was turned off";
  if (typeof option === "object") return option;
  try {
    return (option ?? loadLibcFlock)();
  } catch (err) {
    return `flock(2) is not available through bun:ffi (${(err as Error).message})`;
  }
}

/** A held FlockLock, or (as a string) why this filesystem refuses flock. */
function acquireFlock(stateDir: string, path: string, api: string, binding: LibcFlock): StateLock | string {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const fd = openLockFile(stateDir, path);
    const errno = binding.flock(fd, LOCK_EX | LOCK_NB);
    if (errno !== 0) {
      const record = readRecordAt(fd);
      closeSync(fd);
      if (errno === EWOULDBLOCK) throw new StateDirInUseError(stateDir, identifyHolder(path, record), path);
      return `flock(2) on ${path} failed with errno ${errno}`;
    }
    if (!isSameFile(fd, path)) {
      closeSync(fd);
      continue;
    }
    // An orchestrator running on the pid-file fallback holds no flock: its live record says so.
    const previous = readRecordAt(fd);
    if (previous && isRunning(previous)) {
      closeSync(fd);
      throw new StateDirInUseError(stateDir, { orchestrator: true, pid: previous.pid, api: previous.api, listening: previous.listening }, path);
    }
    try {
      fchmodSync(fd, 0o600);
    } catch {
      // not ours to chmod (a file left by another user); the lock itself still holds
    }
    writeRecordAt(fd, ownRecord(api, false));
    return new FlockLock(path, fd, previous && toPreviousRun(previous));
  }
  throw new StateLockError(`cannot lock ${path}: the file was removed and re-created ${ATTEMPTS} times while locking it; is another orchestrator starting and stopping in a loop?`);
}

function openLockFile(stateDir: string, path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | O_CLOEXEC, 0o600);
  } catch (err) {
    throw new StateLockError(`cannot open the lock file ${path} (${describeFsError(err)}); the orchestrator needs to create and write files in state.dir ${stateDir}`, err);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new StateLockError(`cannot lock ${path}: expected a regular file, found something else; remove it`);
  }
  return fd;
}

function isSameFile(fd: number, path: string): boolean {
  try {
    const open = fstatSync(fd);
    const named = statSync(path);
    return open.ino === named.ino && open.dev === named.dev;
  } catch {
    return false;
  }
}

function readRecordAt(fd: number): LockRecord | null {
  const buffer = Buffer.alloc(4096);
  try {
    return parseRecord(buffer.toString("utf8", 0, readSync(fd, buffer, 0, buffer.length, 0)));
  } catch {
    return null;
  }
}

/** Overwrite the record in place (write, then cut the rest). Best effort: a full disk leaves the old one. */
function writeRecordAt(fd: number, record: LockRecord): void {
  const bytes = Buffer.from(formatRecord(record));
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    ftruncateSync(fd, bytes.length);
  } catch {
    // the lock is held all the same; a reader then names the holder from /proc/locks
  }
}

class FlockLock implements StateLock {
  readonly method = "flock" as const;
  private fd: number | null;

  constructor(
    readonly path: string,
    fd: number,
    readonly previousRun: PreviousRun | null,
  ) {
    this.fd = fd;
  }

  markListening(url: string): void {
    if (this.fd !== null) writeRecordAt(this.fd, ownRecord(url, true));
  }

  release(): void {
    if (this.fd === null) return;
    // Unlink while still holding the lock: whoever opened the old file meanwhile sees it is gone (isSameFile) and starts over.
    try {
      if (isSameFile(this.fd, this.path)) unlinkSync(this.path);
    } catch {
      // already gone, or state.dir turned read-only: the kernel drops the lock on close all the same
    }
    closeSync(this.fd);
    this.fd = null;
  }

  abandon(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
