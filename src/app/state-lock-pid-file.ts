/**
 * The state-dir lock where flock(2) cannot be had: `orchestrator.lock` as a pid file,
 * created atomically (the complete record is written to a temporary file, then hard-linked
 * into place, which fails when the name exists: O_EXCL without a half-written moment).
 * An existing file blocks the start while its pid runs with the recorded start time, or
 * while /proc/locks shows a flock on it; otherwise it is stale and removed (its record is the
 * previous run, which did not stop cleanly).
 */
import { linkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from "node:fs";
import { StateDirInUseError, StateLockError, describeFsError } from "./state-lock-errors";
import { findFlockHolder, formatRecord, isRunning, ownRecord, readRecordFile, toPreviousRun, type LockRecord, type PreviousRun } from "./state-lock-holder";

const ATTEMPTS = 5;

/** Take the pid-file lock (the caller's StateLock, by shape) or throw StateDirInUseError / StateLockError. */
export function acquirePidFile(stateDir: string, path: string, api: string, fallbackReason: string): PidFileLock {
  let stale: LockRecord | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (linkRecord(stateDir, path, ownRecord(api, false))) return new PidFileLock(path, fallbackReason, statSync(path), stale && toPreviousRun(stale));
    const seen = statOrNull(path);
    const record = readRecordFile(path);
    if (record && isRunning(record)) {
      throw new StateDirInUseError(stateDir, { orchestrator: true, pid: record.pid, api: record.api, listening: record.listening }, path);
    }
    const flockPid = findFlockHolder(path);
    if (flockPid !== null) throw new StateDirInUseError(stateDir, { orchestrator: false, pid: flockPid }, path);
    // Stale. Remove it only while it is still the file just read (another starter may have replaced it).
    if (seen && isSameInode(seen, statOrNull(path))) rmSync(path, { force: true });
    stale ??= record;
  }
  throw new StateLockError(`cannot lock ${path}: the pid file was replaced ${ATTEMPTS} times while locking it; is another orchestrator starting and stopping in a loop?`);
}

/** Write `record` to a temporary file and link it to `path`: true when linked, false when `path` exists. */
function linkRecord(stateDir: string, path: string, record: LockRecord): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    rmSync(temporary, { force: true });
    writeFileSync(temporary, formatRecord(record), { mode: 0o600, flag: "wx" });
    linkSync(temporary, path);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "EEXIST") return false;
    throw new StateLockError(`cannot create the pid file ${path} (${describeFsError(err)}); the orchestrator needs to create and write files in state.dir ${stateDir}`, err);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function isSameInode(a: Stats, b: Stats | null): boolean {
  return b !== null && a.ino === b.ino && a.dev === b.dev;
}

class PidFileLock {
  readonly method = "pid-file" as const;
  private file: Stats | null;

  constructor(
    readonly path: string,
    readonly fallbackReason: string,
    file: Stats,
    readonly previousRun: PreviousRun | null,
  ) {
    this.file = file;
  }

  markListening(url: string): void {
    if (!this.file || !isSameInode(this.file, statOrNull(this.path))) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, formatRecord(ownRecord(url, true)), { mode: 0o600 });
      renameSync(temporary, this.path);
      this.file = statSync(this.path);
    } catch {
      rmSync(temporary, { force: true });
    }
  }

  release(): void {
    try {
      if (this.file && isSameInode(this.file, statOrNull(this.path))) unlinkSync(this.path);
    } catch {
      // already gone, or state.dir turned read-only: the next start finds our pid dead
    }
    this.file = null;
  }

  abandon(): void {
    this.file = null; // the file stays, with a pid that will not run: the next start finds it stale
  }
}
