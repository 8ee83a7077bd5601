/**
 * MEM and CPU per service (Fleet.processUsage) on a real fleet larger than one slice of the
 * sample: the first sample is whole and at once; a stale one is served while the next is read
 * in slices, and the next read after that sees the new sample.
 */
import { afterEach, expect, test } from "bun:test";
import { createFleetRun, type FleetRun, type ServiceSpec } from "../helpers/fleet-harness";
import { waitFor } from "../helpers/processes";

let run: FleetRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

test("60 services: a stale sample is served while the next is read in slices, and the reads after it see the new one", async () => {
  const services: Record<string, ServiceSpec> = {};
  for (let i = 0; i < 60; i++) services[`s${String(i).padStart(2, "0")}`] = { command: ["sleep", "60"], health: false };
  run = createFleetRun(services, { launch: { concurrency: 32 } });
  void run.fleet.start();
  await waitFor(() => run!.port.services().every((s) => s.pid !== null), 15_000, "60 services running");
  // a sample lands (the one in flight, or the next one a second on): none is in flight right after
  const before = run.fleet.processUsage();
  await waitFor(() => run!.fleet.processUsage() !== before, 3000, "a sample to land");
  const landed = run.fleet.processUsage();
  await Bun.sleep(1100); // now over a second old
  // this call starts the next sample, in slices: it answers with the last one, as does every call until the next lands
  expect(run.fleet.processUsage()).toBe(landed);
  expect(run.fleet.processUsage()).toBe(landed);
  await waitFor(() => run!.fleet.processUsage() !== landed, 2000, "the sliced sample to land");
  const fresh = run.fleet.processUsage();
  const pids = run.port.services().map((s) => s.pid!);
  expect([...fresh.keys()].sort()).toEqual([...pids].sort());
  expect([...fresh.values()].every((u) => u.rssBytes > 0 && u.cpuPercent !== null)).toBe(true);
  const summaries = run.port.services();
  expect(summaries.every((s) => typeof s.memoryBytes === "number" && s.memoryBytes > 0)).toBe(true);
}, 30_000);
