import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FakeClock } from "../../src/lib/clock";
import { MARKER_VAR } from "../../src/process/marker";
import { OrphanWatchdog } from "../../src/process/watchdog";
import { isGone, killPids, waitFor, waitGone } from "../helpers/processes";

// True once the shell has run its `trap '' INT TERM HUP` (bit N-1 of SigIgn is signal N).
function ignoresTerm(pid: number): boolean {
  const mask = /SigIgn:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0";
  return (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
}

describe("OrphanWatchdog", () => {
  const started: number[] = [];
  afterAll(() => killPids(started));

  function startGroup(env: Record<string, string> = {}) {
    const proc = Bun.spawn(["sleep", "30"], { detached: true, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
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

  test("on close it also kills every process carrying the run's marker, and nothing else", async () => {
    const watchdog = new OrphanWatchdog({ runId: "4242-abcdef01" });
    const group = startGroup();
    const marked = startGroup({ [MARKER_VAR]: "4242-abcdef01/3/web" }); // never registered: found by its marker
    const probe = startGroup({ [MARKER_VAR]: "4242-abcdef01/probe/web" });
    const otherRun = startGroup({ [MARKER_VAR]: "4242-abcdef0/3/web" });
    const unmarked = startGroup({ NOT_THE_MARKER: "4242-abcdef01/3/web" });
    await waitFor(() => readFileSync(`/proc/${unmarked.pid}/environ`, "latin1").includes("NOT_THE_MARKER"), 5000, "sleep to be exec'd");
    watchdog.register(group.pid);
    watchdog.close();
    expect(await Promise.all([group.exited, marked.exited, probe.exited])).toEqual([137, 137, 137]);
    expect([otherRun.pid, unmarked.pid].filter(isGone)).toEqual([]);
  });

  test("a watchdog that dies is replaced at once and handed every group again", async () => {
    const replaced: [number, number][] = [];
    const watchdog = new OrphanWatchdog({ onReplaced: (oldPid, newPid) => replaced.push([oldPid, newPid]) });
    const first = startGroup();
    const second = startGroup();
    watchdog.register(first.pid);
    watchdog.register(second.pid);
    const dead = watchdog.pid;
    process.kill(dead, "SIGKILL");
    await waitFor(() => replaced.length === 1, 5000, "the watchdog to be replaced");
    expect(replaced[0]![0]).toBe(dead);
    expect(replaced[0]![1]).toBe(watchdog.pid);
    expect(watchdog.pid).not.toBe(dead);
    watchdog.close();
    expect(await Promise.all([first.exited, second.exited])).toEqual([137, 137]);
  });

  test("a replacement that dies young is replaced only after a pause (no tight loop)", async () => {
    const clock = new FakeClock();
    const replaced: number[] = [];
    const watchdog = new OrphanWatchdog({ clock, onReplaced: (_old, newPid) => replaced.push(newPid) });
    const group = startGroup();
    watchdog.register(group.pid);
    process.kill(watchdog.pid, "SIGKILL");
    await waitFor(() => replaced.length === 1, 5000, "the first replacement");
    process.kill(replaced[0]!, "SIGKILL");
    await waitFor(() => watchdog.pid === 0, 5000, "the replacement's death to be seen");
    expect(replaced).toHaveLength(1);
    await clock.advance(1000);
    expect(replaced).toHaveLength(2);
    expect(watchdog.pid).toBe(replaced[1]!);
    watchdog.close();
    expect(await group.exited).toBe(137);
  });
});
