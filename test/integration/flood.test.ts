/** SPEC §6 output handling under a stdout flood: bounded buffers, a growing log file, a responsive supervisor. */
import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { createFleetRun, type FleetRun } from "../helpers/fleet-harness";
import { freePort, waitFor } from "../helpers/processes";

let run: FleetRun | null = null;
afterEach(async () => {
  await run?.cleanup();
  run = null;
});

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Bytes in flood.log and its rotated copies. */
function loggedBytes(dir: string, name: string): { bytes: number; files: string[] } {
  const logs = join(dir, "state", "logs");
  const files = readdirSync(logs).filter((f) => f === `${name}.log` || f.startsWith(`${name}.log.`));
  return { bytes: files.reduce((sum, f) => sum + statSync(join(logs, f)).size, 0), files };
}

test("a stdout flood keeps its ring at capacity, grows its log, and the supervisor still acts on others", async () => {
  const rssBefore = process.memoryUsage().rss;
  run = createFleetRun({
    flood: { fixture: "flood-stdout.ts", health: false },
    other: { fixture: "healthy.ts", port: freePort() },
  });
  expect((await run.fleet.start()).outcome).toBe("ready");
  await waitFor(() => run!.lines("flood").length === 1000, 10_000, "the flood ring to fill");
  const logFile = join(run.dir, "state", "logs", "flood.log");
  await waitFor(() => existsSync(logFile), 5000, "flood.log");
  const early = loggedBytes(run.dir, "flood").bytes;

  // The supervisor still restarts another service, probes it, and reports it healthy.
  const otherPid = run.pid("other");
  for (let i = 0; i < 3; i++) {
    await run.fleet.supervisor.restart("other").done;
    await run.waitState("other", "healthy", 10_000);
  }
  expect(run.pid("other")).not.toBe(otherPid);
  expect(run.fleet.supervisor.service("other").restarts).toBe(3);
  expect(run.state("flood")).toBe("healthy");

  // Exactly the last 1000 lines, consecutive: the ring drops the oldest, never a middle one.
  const lines = run.lines("flood");
  expect(lines).toHaveLength(1000);
  const numbers = lines.map((l) => Number(l.split(" ")[1]));
  expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
  expect(numbers[0]).toBeGreaterThan(0);

  await waitFor(() => loggedBytes(run!.dir, "flood").bytes > early, 5000, "flood.log to grow");
  const late = loggedBytes(run.dir, "flood");
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `flood: ${mib(late.bytes)} logged in ${late.files.length} file(s) (${late.files.join(", ")}); ` +
      `test process RSS ${mib(rssBefore)} -> ${mib(rssAfter)}; heap used ${mib(process.memoryUsage().heapUsed)}`,
  );
  // Generous: a leak of every flooded line would be hundreds of MiB.
  expect(rssAfter - rssBefore).toBeLessThan(512 * 1024 * 1024);
}, 30_000);
