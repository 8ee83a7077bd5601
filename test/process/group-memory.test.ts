/** What limits.memory measures, on real processes: a service's tree, escaped descendants, adopted orphans of its group. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { setChildSubreaper } from "../../src/lib/libc";
import { reapAdoptedZombies } from "../../src/process/descendants";
import { measureGroups } from "../../src/process/group-memory";
import { detectPageSize } from "../../src/process/proc-stats";
import { readProcessInfo } from "../../src/process/proc-scan";
import { fixtureCommand, killPids, waitFor, waitGone } from "../helpers/processes";

const MiB = 1024 * 1024;
const PAGE = detectPageSize();
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const started: number[] = [];
beforeAll(() => expect(setChildSubreaper(true)).toBeNull());
afterAll(() => {
  setChildSubreaper(false);
  reapAdoptedZombies();
});
afterEach(async () => {
  const pids = started.splice(0);
  for (const pid of pids) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // no such group
    }
  }
  killPids(pids);
  await waitGone(pids, 3000);
});

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1] ?? 0) * 1024;

/** `sh -c script` as a group leader; resolves with its pid and the pids it prints on its first line. */
async function group(script: string): Promise<{ leader: number; printed: number[] }> {
  const proc = Bun.spawn(["/bin/sh", "-c", script], { env, stdout: "pipe", detached: true });
  started.push(proc.pid);
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) text += new TextDecoder().decode((await reader.read()).value);
  reader.releaseLock();
  const printed = text.trim().split(/\s+/).map(Number);
  started.push(...printed);
  return { leader: proc.pid, printed };
}

describe("measureGroups", () => {
  test("a leader and its children, one of which left the group (setsid): all summed, each once", async () => {
    const { leader, printed } = await group("sleep 60 & a=$!; setsid sleep 60 & b=$!; echo $a $b; wait");
    await waitFor(() => printed.every((pid) => readFileSync(`/proc/${pid}/comm`, "latin1").trim() === "sleep"), 5000, "both sleeps");
    const measured = measureGroups([leader], PAGE).get(leader)!;
    expect(measured.processes).toBe(3);
    const expected = [leader, ...printed].reduce((sum, pid) => sum + rssOf(pid), 0);
    // /proc/PID/stat and /proc/PID/status count the same pages, moments apart: close, and nothing counted twice
    expect(Math.abs(measured.rssBytes - expected)).toBeLessThan(expected / 4);
  });

  test("an orphan of the group adopted by this (subreaper) process is still counted; another group's is not", async () => {
    const { leader, printed } = await group("(sleep 60 & echo $!) ; sleep 60");
    const orphan = printed[0]!;
    await waitFor(() => readProcessInfo(orphan)?.ppid === process.pid, 5000, "the orphan to be adopted");
    const other = await group("(sleep 60 & echo $!) ; sleep 60");
    await waitFor(() => readProcessInfo(other.printed[0]!)?.ppid === process.pid, 5000, "the other orphan to be adopted");
    const measured = measureGroups([leader], PAGE).get(leader)!;
    expect(measured.processes).toBe(3); // sh, its sleep, and the adopted orphan
  });

  test("memory really grown by the service shows; a leader that is gone is left out", async () => {
    const proc = Bun.spawn(fixtureCommand("grow-memory.ts"), { env: { ...env, GROW_MIB: "64", MAX_MIB: "64" }, stdout: "pipe", detached: true });
    started.push(proc.pid);
    const reader = proc.stdout.getReader();
    let text = "";
    while (!text.includes("grown 64 MiB")) text += new TextDecoder().decode((await reader.read()).value);
    reader.releaseLock();
    expect(measureGroups([proc.pid], PAGE).get(proc.pid)!.rssBytes).toBeGreaterThan(64 * MiB);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(measureGroups([proc.pid], PAGE).has(proc.pid)).toBe(false);
  });
});
