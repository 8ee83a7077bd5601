/** flock(2) through bun:ffi on real files and a real second process. */
import { afterEach, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EWOULDBLOCK, LOCK_EX, LOCK_NB, LOCK_UN, loadLibcFlock } from "../../src/lib/libc";
import { fixtureCommand, killPids, waitGone } from "../helpers/processes";

const libc = loadLibcFlock();
const dirs: string[] = [];
const fds: number[] = [];
const pids: number[] = [];

afterEach(async () => {
  fds.splice(0).forEach((fd) => closeSync(fd));
  killPids(pids);
  await waitGone(pids.splice(0), 3000);
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function lockFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-flock-"));
  dirs.push(dir);
  return join(dir, "x.lock");
}

function open(path: string): number {
  const fd = openSync(path, "a+", 0o600);
  fds.push(fd);
  return fd;
}

test("a second open file description gets EWOULDBLOCK until the first unlocks", () => {
  const path = lockFile();
  const first = open(path);
  const second = open(path);
  expect(libc.flock(first, LOCK_EX | LOCK_NB)).toBe(0);
  expect(libc.flock(second, LOCK_EX | LOCK_NB)).toBe(EWOULDBLOCK);
  expect(libc.flock(first, LOCK_UN)).toBe(0);
  expect(libc.flock(second, LOCK_EX | LOCK_NB)).toBe(0);
});

test("a bad fd is an errno (EBADF), not a throw", () => {
  expect(libc.flock(1_000_000, LOCK_EX | LOCK_NB)).toBe(9);
});

test("the kernel drops the lock of a SIGKILLed holder", async () => {
  const path = lockFile();
  const holder = Bun.spawn([...fixtureCommand("hold-flock.ts")], { env: { ...process.env, FLOCK_PATH: path }, stdout: "pipe" });
  pids.push(holder.pid);
  const reader = holder.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe(`locked ${holder.pid}\n`);
  const fd = open(path);
  expect(libc.flock(fd, LOCK_EX | LOCK_NB)).toBe(EWOULDBLOCK);
  holder.kill("SIGKILL");
  await holder.exited;
  expect(libc.flock(fd, LOCK_EX | LOCK_NB)).toBe(0);
});
