/** Helpers for real-process tests: is a pid gone (by /proc state), wait for pids, free ports, fixtures. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readMarker } from "../../src/process/marker";
import { readAnyProcStat } from "../../src/process/proc-stats";

/** Absolute path of test/fixtures/NAME. */
export function fixturePath(name: string): string {
  return join(import.meta.dir, "..", "fixtures", name);
}

/** argv that runs fixture NAME with the current bun executable. */
export function fixtureCommand(name: string): string[] {
  return [process.execPath, fixturePath(name)];
}

/** The process state letter from /proc/PID/stat ("R", "S", "Z", …), or null when there is no such pid. */
export function readProcState(pid: number): string | null {
  return readAnyProcStat(pid)?.state ?? null;
}

/**
 * True when `pid` no longer runs: no /proc entry, or a zombie (state Z). kill(pid, 0) is
 * not enough here: it succeeds on zombies, which PID 1 may reap late.
 */
export function isGone(pid: number): boolean {
  return isGoneOrReused(pid, undefined);
}

/** isGone, and also true when `pid` now names another process than the one that started at `startTicks` (see startTicksOf). */
export function isGoneOrReused(pid: number, startTicks: number | undefined): boolean {
  const stat = readAnyProcStat(pid);
  if (stat === null || stat.state === "Z" || stat.state === "X") return true;
  return startTicks !== undefined && stat.startTicks !== startTicks;
}

/** When `pid` started (clock ticks since boot); with the pid it names one process even if the pid is reused. Undefined when gone. */
export function startTicksOf(pid: number): number | undefined {
  return readAnyProcStat(pid)?.startTicks;
}

/** Wait until every pid is gone; resolves with those still alive at `timeoutMs` (empty = all gone). A pid reused meanwhile is gone. */
export async function waitGone(pids: number[], timeoutMs = 5000): Promise<number[]> {
  const started = new Map(pids.map((pid) => [pid, startTicksOf(pid)]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((pid) => !isGoneOrReused(pid, started.get(pid)));
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await Bun.sleep(20);
  }
}

/**
 * Live pids whose environment carries a marker of spawner run `runId` (ORCHESTRATOR_SERVICE,
 * see src/process/marker.ts): the run's services, what they forked, daemons that left their
 * group and session, exec probes. Not a daemon that exec'd with an emptied environment.
 */
export function findMarkedPids(runId: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^[0-9]+$/.test(entry))
    .map(Number)
    .filter((pid) => readMarker(pid)?.startsWith(`${runId}/`) && !isGone(pid));
}

/** "PID (cmdline)" for messages, e.g. `4242 (bun test/fixtures/ignore-sigterm.ts)`. */
export function describePid(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").filter(Boolean).join(" ");
    return `${pid} (${cmdline.length > 120 ? `${cmdline.slice(0, 117)}...` : cmdline || "no cmdline"})`;
  } catch {
    return `${pid} (gone)`;
  }
}

/** SIGKILL each pid we started that is still alive (test cleanup); never a broad kill. */
export function killPids(pids: number[]): void {
  for (const pid of pids) {
    if (pid <= 0 || isGone(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port;
  server.stop(true);
  if (port === undefined) throw new Error("freePort: expected the OS to pick a port, got none");
  return port;
}

/** Poll `predicate` (sync or async) every 10 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() >= deadline) throw new Error(`waitFor: expected ${what} within ${timeoutMs} ms, it never happened`);
    await Bun.sleep(10);
  }
}
