/**
 * MEM and CPU per service (Fleet.processUsage) on a real fleet larger than one slice of the
 * sample, on an injected clock: a sample a second old is served while the next is read in
 * slices, and the reads after it see the new one.
 */
import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
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
  const clock = new FakeClock();
  run = createFleetRun(services, { launch: { concurrency: 32 } }, { fleetClock: clock });
  void run.fleet.start();
  // the launch runs on the fleet's clock: move it until all 60 run
  const running = () => run!.fleet.supervisor.snapshot({ history: false }).services.every((s) => s.pid !== null);
  for (let i = 0; i < 1500 && !running(); i++) await clock.advance(10);
  expect(running()).toBe(true);
  // no read yet: the first takes a whole sample at once, and serves it for a second
  const landed = run.fleet.processUsage();
  expect(run.fleet.processUsage()).toBe(landed);
  await clock.advance(1000);
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
