/**
 * The state-dir lock on real files and real processes: flock and its pid-file fallback,
 * stale files, foreign holders, the record it writes, the modes, the inherited-fd guard.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE, StateDirInUseError, StateLockError, acquireStateLock, type AcquireOptions, type StateLock } from "../../src/app/state-lock";
import { loadLibcFlock } from "../../src/lib/libc";
import { readProcStat } from "../../src/process/proc-stats";
import { fixtureCommand, killPids, waitGone } from "../helpers/processes";

const API = "http://127.0.0.1:9000";
const dirs: string[] = [];
const locks: StateLock[] = [];
const pids: number[] = [];

afterEach(async () => {
  locks.splice(0).forEach((lock) => lock.release());
  killPids(pids);
  await waitGone(pids.splice(0), 3000);
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** A state dir path inside a fresh tmp dir (not created: acquire creates it). */
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-state-lock-"));
  dirs.push(dir);
  return join(dir, "state");
}

function acquire(dir: string, options: Partial<AcquireOptions> = {}): StateLock {
  const lock = acquireStateLock(dir, { api: API, ...options });
  locks.push(lock);
  return lock;
}

function refusal(run: () => unknown): StateDirInUseError {
  try {
    run();
  } catch (err) {
    if (err instanceof StateDirInUseError) return err;
    throw err;
  }
  throw new Error("expected StateDirInUseError, the lock was granted");
}

function record(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as Record<string, unknown>;
}

/** A pid that ran and is gone, with its start time. */
async function deadPid(): Promise<{ pid: number; startTicks: number }> {
  const child = Bun.spawn(["sleep", "30"]);
  const startTicks = readProcStat(child.pid)!.startTicks;
  child.kill("SIGKILL");
  await child.exited;
  return { pid: child.pid, startTicks };
}

/** A real non-orchestrator process holding a flock on the lock file (writing `content` into it). */
async function startForeignHolder(dir: string, content = ""): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const child = Bun.spawn([...fixtureCommand("hold-flock.ts")], { env: { ...process.env, FLOCK_PATH: join(dir, LOCK_FILE), CONTENT: content }, stdout: "pipe" });
  pids.push(child.pid);
  const { value } = await child.stdout.getReader().read();
  const line = new TextDecoder().decode(value);
  if (!line.startsWith("locked")) throw new Error(`hold-flock: expected "locked PID", got "${line}"`);
  return child.pid;
}

describe("flock", () => {
  test("locks a new state dir (0700) through a 0600 file that records pid and intended API, not inherited by children", () => {
    const dir = stateDir();
    const lock = acquire(dir);
    expect(lock.method).toBe("flock");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    expect(record(dir)).toEqual({ pid: process.pid, startTicks: readProcStat(process.pid)!.startTicks, api: API, listening: false });
    const fd = readdirSync("/proc/self/fd").find((fd) => readlinkOrEmpty(`/proc/self/fd/${fd}`) === lock.path);
    expect(fd).toBeDefined();
    const flags = Number.parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1]!, 8);
    expect(flags & 0o2000000).toBe(0o2000000); // O_CLOEXEC
  });

  test("a second acquire is refused with the holder's pid and API URL, and leaves the holder's record alone", () => {
    const dir = stateDir();
    const lock = acquire(dir);
    expect(refusal(() => acquire(dir)).message).toBe(
      `state.dir ${dir} is in use by another orchestrator (pid ${process.pid}, API ${API}, not listening yet); stop it first or set a different state.dir`,
    );
    lock.markListening("http://127.0.0.1:41");
    const refused = refusal(() => acquire(dir));
    expect(refused.message).toBe(`state.dir ${dir} is in use by another orchestrator (pid ${process.pid}, API http://127.0.0.1:41); stop it first or set a different state.dir`);
    expect(refused.code).toBe("STATE_DIR_IN_USE");
    expect(record(dir)).toMatchObject({ pid: process.pid, api: "http://127.0.0.1:41", listening: true });
  });

  test("release removes the file and lets the next acquire in; releasing twice is harmless", () => {
    const dir = stateDir();
    const lock = acquire(dir);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).not.toContain(LOCK_FILE);
    expect(acquire(dir).method).toBe("flock");
  });

  test("a stale file from a dead orchestrator (or a reused pid) is taken over and overwritten", async () => {
    const dir = stateDir();
    mkdirSync(dir);
    const dead = await deadPid();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...dead, api: "http://127.0.0.1:1", listening: true }) + "\n".repeat(200));
    acquire(dir).release();
    const other = Bun.spawn(["sleep", "30"]);
    pids.push(other.pid);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, startTicks: readProcStat(other.pid)!.startTicks + 1, api: "x", listening: true }));
    acquire(dir);
    expect(record(dir)).toMatchObject({ pid: process.pid, api: API, listening: false });
  });

  test("a lock held by a process that is not an orchestrator names that pid from /proc/locks", async () => {
    for (const content of ["", "not json at all"]) {
      const dir = stateDir();
      const holder = await startForeignHolder(dir, content);
      expect(refusal(() => acquire(dir)).message).toBe(
        `state.dir ${dir} is locked by another process (pid ${holder}; ${join(dir, LOCK_FILE)} holds no record of a running orchestrator); stop it first or set a different state.dir`,
      );
    }
  });

  test("without a pid to name, the message says the pid is unknown", () => {
    expect(new StateDirInUseError("/srv/x", { orchestrator: false, pid: null }, "/srv/x/orchestrator.lock").message).toBe(
      "state.dir /srv/x is locked by another process (pid unknown; /srv/x/orchestrator.lock holds no record of a running orchestrator); stop it first or set a different state.dir",
    );
  });

  test("a file removed by a stopping orchestrator between our open and our flock is not the one we keep", () => {
    const dir = stateDir();
    const real = loadLibcFlock();
    let first = true;
    const racing = {
      flock(fd: number, operation: number) {
        if (first) unlinkSync(join(dir, LOCK_FILE)); // the other one's release, just before our flock
        first = false;
        return real.flock(fd, operation);
      },
    };
    acquire(dir, { flock: racing });
    expect(record(dir)).toMatchObject({ pid: process.pid });
    expect(refusal(() => acquire(dir)).holder).toMatchObject({ orchestrator: true, pid: process.pid });
  });

  test("a lock file that cannot be opened, or is not a regular file, is a StateLockError naming the path", () => {
    const base = stateDir();
    writeFileSync(base, "a file where state.dir should be");
    expect(() => acquire(join(base, "sub"))).toThrow(StateLockError);
    expect(() => acquire(join(base, "sub"))).toThrow(`cannot create state.dir ${join(base, "sub")}`);
    const dir = stateDir();
    mkdirSync(join(dir, LOCK_FILE), { recursive: true });
    expect(() => acquire(dir)).toThrow(`cannot open the lock file ${join(dir, LOCK_FILE)} (EISDIR`);
    const linked = stateDir();
    mkdirSync(linked);
    symlinkSync(join(base), join(linked, LOCK_FILE));
    expect(() => acquire(linked)).toThrow(`cannot open the lock file ${join(linked, LOCK_FILE)} (ELOOP`);
  });
});

describe("pid-file fallback", () => {
  test("without flock: a 0600 pid file, the reason kept for the start message, released by removal", () => {
    const dir = stateDir();
    const lock = acquire(dir, { flock: null });
    expect(lock.method).toBe("pid-file");
    expect(lock.fallbackReason).toBe("flock(2) was turned off");
    expect(statSync(lock.path).mode & 0o777).toBe(0o600);
    expect(record(dir)).toMatchObject({ pid: process.pid, api: API, listening: false });
    lock.markListening("http://127.0.0.1:42");
    expect(record(dir)).toMatchObject({ api: "http://127.0.0.1:42", listening: true });
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a binding that cannot load, or a filesystem that refuses flock, falls back and says why", () => {
    const failing = () => {
      throw new Error("Failed to open library libc.so.6");
    };
    expect(acquire(stateDir(), { flock: failing }).fallbackReason).toBe("flock(2) is not available through bun:ffi (Failed to open library libc.so.6)");
    const dir = stateDir();
    expect(acquire(dir, { flock: { flock: () => 37 } }).fallbackReason).toBe(`flock(2) on ${join(dir, LOCK_FILE)} failed with errno 37`);
  });

  test("a live holder refuses both a pid-file and a flock acquire; a dead one's file is taken over", async () => {
    const dir = stateDir();
    const lock = acquire(dir, { flock: null });
    expect(refusal(() => acquire(dir, { flock: null })).holder).toEqual({ orchestrator: true, pid: process.pid, api: API, listening: false });
    expect(refusal(() => acquire(dir)).holder).toEqual({ orchestrator: true, pid: process.pid, api: API, listening: false });
    lock.release();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...(await deadPid()), api: "x", listening: true }));
    acquire(dir, { flock: null });
    expect(record(dir)).toMatchObject({ pid: process.pid, api: API });
  });

  test("an empty file flocked by another process blocks the pid-file lock too", async () => {
    const dir = stateDir();
    const holder = await startForeignHolder(dir);
    expect(refusal(() => acquire(dir, { flock: null })).holder).toEqual({ orchestrator: false, pid: holder });
  });

  test("a leftover file nobody holds or runs is stale", () => {
    const dir = stateDir();
    mkdirSync(dir);
    writeFileSync(join(dir, LOCK_FILE), "");
    acquire(dir, { flock: null });
    expect(record(dir)).toMatchObject({ pid: process.pid });
  });
});

function readlinkOrEmpty(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

/** A run of the lock in another process, ended as `ends` says (SIGKILL for "kill"); resolves with its pid once it is gone. */
async function previousRunThat(dir: string, ends: "release" | "abandon" | "kill", lock: "flock" | "pid-file" = "flock"): Promise<number> {
  const child = Bun.spawn(fixtureCommand("hold-state-lock.ts"), {
    env: { ...process.env, STATE_DIR: dir, ENDS: ends === "kill" ? "wait" : ends, LOCK: lock },
    stdout: "pipe",
  });
  pids.push(child.pid);
  const { value } = await child.stdout.getReader().read();
  const line = new TextDecoder().decode(value);
  if (!line.startsWith("locked")) throw new Error(`hold-state-lock: expected "locked PID", got "${line}"`);
  if (ends === "kill") child.kill("SIGKILL");
  await child.exited;
  return child.pid;
}

describe("the previous run", () => {
  test.each(["flock", "pid-file"] as const)("%s: one killed with SIGKILL, or abandoned (a crash), is the next acquire's previousRun", async (method) => {
    const flock = method === "pid-file" ? { flock: null } : {};
    for (const ends of ["kill", "abandon"] as const) {
      const dir = stateDir();
      const pid = await previousRunThat(dir, ends, method);
      const lock = acquire(dir, flock);
      expect(lock.method).toBe(method);
      expect(lock.previousRun).toEqual({ pid, api: "http://127.0.0.1:9" });
      lock.release();
      expect(acquire(dir, flock).previousRun).toBeNull(); // said once: the clean release removed the record
    }
  });

  test("after a clean release, and in a new state dir, there is none", async () => {
    const dir = stateDir();
    expect(acquire(dir).previousRun).toBeNull();
    locks.splice(0).forEach((lock) => lock.release());
    await previousRunThat(dir, "release");
    expect(acquire(dir).previousRun).toBeNull();
  });

  test("abandon leaves the record and drops the lock; release after it does nothing", async () => {
    const dir = stateDir();
    const lock = acquire(dir);
    lock.abandon();
    expect(record(dir)).toMatchObject({ pid: process.pid });
    lock.release();
    expect(readdirSync(dir)).toContain(LOCK_FILE);
  });
});
