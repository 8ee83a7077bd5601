/** The pid helpers the harness's leftover check stands on: identity by start time, and finding a run's marked processes. */
import { afterAll, expect, test } from "bun:test";
import { findMarkedPids, isGone, isGoneOrReused, killPids, startTicksOf, waitFor, waitGone } from "./processes";

const spawned: number[] = [];
afterAll(async () => {
  killPids(spawned);
  await waitGone(spawned, 3000);
});

test("a pid counts as gone once it names another process than the one it was (a reused pid)", () => {
  const ticks = startTicksOf(process.pid)!;
  expect(isGone(process.pid)).toBe(false);
  expect(isGoneOrReused(process.pid, ticks)).toBe(false);
  expect(isGoneOrReused(process.pid, ticks + 1)).toBe(true);
});

test("findMarkedPids finds the live processes marked with one run id, and no other run's", async () => {
  const start = (marker: string) => {
    const child = Bun.spawn(["sleep", "30"], { env: { PATH: process.env.PATH, ORCHESTRATOR_SERVICE: marker }, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    spawned.push(child.pid);
    return child;
  };
  const ours = start("run-aaaa/1/api");
  const theirs = start("run-bbbb/1/api");
  // until each has exec'd sleep, its /proc environ is still the forking parent's
  await waitFor(() => findMarkedPids("run-aaaa").length === 1 && findMarkedPids("run-bbbb").length === 1, 5000, "both children to run sleep with their markers");
  expect(findMarkedPids("run-aaaa")).toEqual([ours.pid]);
  ours.kill("SIGKILL");
  await ours.exited;
  expect(findMarkedPids("run-aaaa")).toEqual([]);
  expect(findMarkedPids("run-bbbb")).toEqual([theirs.pid]);
});
