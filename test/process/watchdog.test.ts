import { afterAll, describe, expect, test } from "bun:test";
import { OrphanWatchdog } from "../../src/process/watchdog";
import { readFileSync } from "node:fs";
import { isGone, killPids, waitFor, waitGone } from "../helpers/processes";

// True once the shell has run its `trap '' INT TERM HUP` (bit N-1 of SigIgn is signal N).
function ignoresTerm(pid: number): boolean {
  const mask = /SigIgn:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0";
  return (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
}

describe("OrphanWatchdog", () => {
  const started: number[] = [];
  afterAll(() => killPids(started));

  function startGroup() {
    const proc = Bun.spawn(["sleep", "30"], { detached: true });
    started.push(proc.pid);
    return proc;
  }

  test("on close it kills registered groups and spares unregistered ones", async () => {
    const watchdog = new OrphanWatchdog();
    const kept = startGroup();
    const doomed = startGroup();
    watchdog.register(kept.pid);
    watchdog.register(doomed.pid);
    watchdog.unregister(kept.pid);
    const watchdogPid = watchdog.pid;
    expect(watchdogPid).toBeGreaterThan(0);
    watchdog.close();
    expect(await doomed.exited).toBe(137);
    expect(await waitGone([watchdogPid], 5000)).toEqual([]);
    expect(isGone(kept.pid)).toBe(false);
  });

  test("ignores SIGTERM and SIGINT: only the pipe closing ends it", async () => {
    const watchdog = new OrphanWatchdog();
    const group = startGroup();
    watchdog.register(group.pid);
    await waitFor(() => ignoresTerm(watchdog.pid), 5000, "the watchdog to ignore SIGTERM");
    process.kill(watchdog.pid, "SIGTERM");
    process.kill(watchdog.pid, "SIGINT");
    await Bun.sleep(100);
    expect(isGone(watchdog.pid)).toBe(false);
    watchdog.close();
    expect(await group.exited).toBe(137);
  });
});
