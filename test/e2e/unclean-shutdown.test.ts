/**
 * History across runs (SPEC §13), on the compiled binary: after a SIGKILL of `up`, the next
 * `up` on the same state.dir records one `unclean-shutdown` notice as the first event of its
 * run, with the killed run's pid and the time of its last recorded event; the orchestrator's
 * log and the dashboard feed show it. A clean SIGTERM stop followed by a start records none.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OrchestratorEvent } from "../../src/contract/events";
import type { StoredEvent } from "../../src/dashboard/api/sequencer";
import { describeEvent } from "../../src/dashboard/lib/describe-event";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, killPids, waitGone } from "../helpers/processes";

const runs: BinaryRun[] = [];
const dirs: string[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const isReady = (r: LogRecord) => r.msg === "SYSTEM READY";
const isUnclean = (r: LogRecord) => r.event === "notice" && r.kind === "unclean-shutdown";

/** An absolute state dir outside the fleet dirs (each BinaryRun removes only its own dir). */
function sharedStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-unclean-"));
  dirs.push(dir);
  return join(dir, "state");
}

async function upReady(stateDir: string): Promise<{ run: BinaryRun; api: string }> {
  const apiPort = freePort();
  const services = { web: { command: fixtureCommand("healthy.ts"), port: freePort() } };
  const dir = writeFleetDir({ version: 1, name: "unclean", api: { host: "127.0.0.1", port: apiPort }, discovery: { roots: [] }, state: { dir: stateDir }, services });
  const run = new BinaryRun(dir, ["up"]);
  runs.push(run);
  await run.waitRecord(isReady, 20_000, "SYSTEM READY");
  return { run, api: `http://127.0.0.1:${apiPort}` };
}

async function events(api: string, since = 0): Promise<OrchestratorEvent[]> {
  return (await (await fetch(`${api}/orchestrator/events?since=${since}`)).json()) as OrchestratorEvent[];
}

describe("the unclean previous run (compiled binary)", () => {
  test("after a SIGKILL, the next run's first event says so, with the pid and the last event's time; the log and the feed show it", async () => {
    const stateDir = sharedStateDir();
    const first = await upReady(stateDir);
    const seen = await events(first.api); // also flushes the store: these are on disk
    process.kill(first.run.pid, "SIGKILL");
    await first.run.exited;
    killPids(first.run.collectPids()); // the watchdog kills them; this is only cleanup
    await waitGone(first.run.collectPids(), 5000);

    const second = await upReady(stateDir);
    const record = await second.run.waitRecord(isUnclean, 5000, "the unclean-shutdown log line");
    expect(record).toMatchObject({ level: 40, pid: first.run.pid, msg: expect.stringContaining(`the previous run (pid ${first.run.pid}) did not stop cleanly`) });
    // first of the run: before the launch's events in the log
    const logged = second.run.records.filter((r) => typeof r.event === "string");
    expect(logged[0]).toMatchObject({ event: "notice", kind: "unclean-shutdown", pid: first.run.pid });
    expect(logged.filter(isUnclean)).toHaveLength(1);

    const after = await events(second.api, seen.at(-1)!.seq - 1);
    const lastOfFirst = after[0];
    expect(lastOfFirst.seq).toBe(seen.at(-1)!.seq);
    const notice = after[1];
    expect(notice).toMatchObject({ seq: lastOfFirst.seq + 1, type: "notice", payload: { kind: "unclean-shutdown", level: "warn", pid: first.run.pid, lastEventTs: lastOfFirst.ts } });
    expect((notice.payload as { message: string }).message).toBe(
      `the previous run (pid ${first.run.pid}) did not stop cleanly (killed, crashed, or the machine went down): its last recorded event was at ${new Date(lastOfFirst.ts).toISOString()}`,
    );
    expect(after.filter((e) => e.type === "notice" && e.payload.kind === "unclean-shutdown")).toHaveLength(1);
    expect(describeEvent(notice as StoredEvent)).toEqual({ subject: "orchestrator", text: `unclean-shutdown · ${(notice.payload as { message: string }).message}`, tone: "warn" });
  }, 60_000);

  test("a clean SIGTERM stop followed by a start records none", async () => {
    const stateDir = sharedStateDir();
    const first = await upReady(stateDir);
    first.run.signal("SIGTERM");
    expect(await first.run.exited).toBe(0);
    const second = await upReady(stateDir);
    const all = await events(second.api);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((e) => e.type === "notice")).toEqual([]);
    expect(second.run.records.filter(isUnclean)).toEqual([]);
  }, 60_000);
});
