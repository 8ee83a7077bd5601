/**
 * A Fleet told that the previous run did not stop cleanly: its first event is one
 * `unclean-shutdown` notice with that run's pid and the time of its last recorded event,
 * also a line of the orchestrator's log; told nothing, it says nothing.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Fleet } from "../../src/app/fleet";
import { FakeClock } from "../../src/lib/clock";
import { loadConfigSync } from "../../src/manifest/load";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fleetDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "unclean-"));
  dirs.push(dir);
  writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify({ version: 1, name: "unclean", discovery: { roots: [] }, state: { dir: "state" }, services: { web: { command: ["true"], health: false } } }));
  return dir;
}

const configOf = (dir: string) => loadConfigSync(join(dir, "orchestrator.yaml"), { checkCommands: false }).config!;

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

test("the first event of the run names the previous run's pid and the time of its last event, and the log says it", async () => {
  const dir = fleetDir();
  const clock = new FakeClock(Date.UTC(2026, 4, 6, 7, 8, 9, 10));
  const before = new Fleet(configOf(dir), { clock });
  before.bus.emit({ type: "status", payload: { state: "ready", reasons: [] } });
  const last = before.bus.emit({ type: "status", payload: { state: "degraded", reasons: ["x"] } });
  await before.close();

  await clock.advance(60_000);
  const { lines, logger } = capturingLogger();
  const fleet = new Fleet(configOf(dir), { clock, logger, previousRun: { pid: 4242, api: "http://127.0.0.1:9000" } });
  try {
    const events = fleet.store.since(last.seq);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: last.seq + 1,
      type: "notice",
      payload: {
        kind: "unclean-shutdown",
        level: "warn",
        pid: 4242,
        lastEventTs: last.ts,
        message: "the previous run (pid 4242) did not stop cleanly (killed, crashed, or the machine went down): its last recorded event was at 2026-05-06T07:08:09.010Z",
      },
    });
    expect(lines).toEqual([expect.objectContaining({ level: 40, event: "notice", kind: "unclean-shutdown", pid: 4242, msg: expect.stringContaining("pid 4242") })]);
  } finally {
    await fleet.close();
  }
});

test("with no event of the previous run on record, the notice says so and has no time", async () => {
  const fleet = new Fleet(configOf(fleetDir()), { previousRun: { pid: 7, api: "x" } });
  try {
    const [first] = fleet.store.since(0);
    expect(first.payload).toEqual({
      kind: "unclean-shutdown",
      level: "warn",
      pid: 7,
      message: "the previous run (pid 7) did not stop cleanly (killed, crashed, or the machine went down): none of its events is on record",
    });
  } finally {
    await fleet.close();
  }
});

test("without a previous run to report, no such notice", async () => {
  const fleet = new Fleet(configOf(fleetDir()), { previousRun: null });
  try {
    expect(fleet.store.since(0)).toEqual([]);
  } finally {
    await fleet.close();
  }
});
