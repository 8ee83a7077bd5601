/**
 * The fleet harness's cleanup is itself a check: it must fail when a process of the fleet
 * outlives shutdown, name it, and still leave nothing running.
 */
import { afterEach, expect, test } from "bun:test";
import { createFleetRun, parseForkLines, type FleetRun } from "./fleet-harness";
import { findMarkedPids, isGone, waitFor, waitGone } from "./processes";

const noProbe = { health: false } as const;
let spare: FleetRun | null = null;
afterEach(async () => {
  // only reached when a test failed half-way: still clean up, by pid
  await spare?.cleanup().catch(() => {});
  spare = null;
});

test("a fleet that stops cleanly, grandchildren included, cleans up without a word", async () => {
  const run = (spare = createFleetRun({ forker: { fixture: "fork-grandchildren.ts", env: { GRANDCHILDREN: 2 }, ...noProbe } }));
  await run.fleet.start();
  await waitFor(() => parseForkLines(run.lines("forker")).length > 0, 5000, "the grandchildren line");
  const { grandchildren } = parseForkLines(run.lines("forker"))[0]!;
  expect(findMarkedPids(run.spawner.runId).sort()).toEqual([run.pid("forker")!, ...grandchildren].sort());
  await run.cleanup();
  expect([run.pid("forker"), ...grandchildren].every((pid) => pid === null || isGone(pid))).toBe(true);
});

test("a service still running when the shutdown bound runs out fails the cleanup, by pid and command, and is killed", async () => {
  // it ignores SIGTERM and may take 30 s to be SIGKILLed; the harness waits 500 ms on purpose
  const run = (spare = createFleetRun({ stubborn: { fixture: "ignore-sigterm.ts", shutdown: { timeout: "30s" }, ...noProbe } }, {}, { shutdownWithinMs: 500 }));
  await run.fleet.start();
  await waitFor(() => run.lines("stubborn").some((l) => l.startsWith("ready ")), 5000, "the SIGTERM handler to be in");
  const pid = run.pid("stubborn")!;
  const failure = await run.cleanup().then(() => null, (error: Error) => error.message);
  expect(failure).toContain("fleet.shutdown() did not finish within 500 ms; still running: ");
  expect(failure).toContain(`${pid} (`);
  expect(failure).toContain("ignore-sigterm.ts");
  expect(await waitGone([pid], 3000)).toEqual([]);
  expect(findMarkedPids(run.spawner.runId)).toEqual([]);
  expect(isGone(run.spawner.watchdogPid) || run.spawner.watchdogPid === 0).toBe(true);
});

test("a process left behind after a clean shutdown (a grandchild the test handed over) fails the cleanup and is killed", async () => {
  const run = (spare = createFleetRun({ idle: { fixture: "healthy.ts", ...noProbe } }));
  await run.fleet.start();
  // stands for a grandchild that escaped the supervisor: the fleet does not know it, the test does
  const left = Bun.spawn(["sleep", "60"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  run.pids.add(left.pid);
  const failure = await run.cleanup().then(() => null, (error: Error) => error.message);
  expect(failure).toStartWith("fleet cleanup: expected every process of the fleet to be gone 2000 ms after shutdown, got 1 still running (now SIGKILLed): ");
  expect(failure).toContain(`${left.pid} (sleep 60)`);
  expect(await left.exited).not.toBe(0);
  expect(isGone(left.pid)).toBe(true);
});
