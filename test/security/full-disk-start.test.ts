/**
 * Issue 12, item 1, at start: a server that reboots with its disk full must still get its
 * fleet. The compiled binary starts with `state.dir` on a tmpfs with no byte left:
 *   - an existing history file opens without its -shm file (which cannot be created), seqs go
 *     on from it, and the run says so; once there is room, what was held is written;
 *   - a state dir that has no history yet runs with its history in memory, and says so.
 * Either way every service starts, is supervised, and /status names the reason.
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, isGone, waitFor } from "../helpers/processes";
import { quickManifest } from "../helpers/quick-manifest";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";

type Json = Record<string, any>;

const probe = mountTmpfs("1m");
const skipReason = probe.skip;
unmountTmpfs(probe.dir);
if (skipReason) console.warn(`skipped: full-disk start test: ${skipReason}`);

let run: BinaryRun | undefined;
let mounted: string | null = null;
beforeAll(() => {
  if (!skipReason) ensureBinary();
});
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
  unmountTmpfs(mounted);
  mounted = null;
});

async function get(base: string, path: string): Promise<Json> {
  return (await (await fetch(base + path, { signal: AbortSignal.timeout(5000) })).json()) as Json;
}

function start(stateDir: string, apiPort: number): BinaryRun {
  const services = { victim: { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health" } } };
  return new BinaryRun(writeFleetDir(quickManifest("full-disk-start", { apiPort, stateDir, services })), ["up"]);
}

async function healthyVictim(base: string): Promise<Json> {
  let victim: Json | undefined;
  await waitFor(async () => (victim = ((await get(base, "/orchestrator/services").catch(() => [])) as Json[]).find((s) => s.name === "victim"))?.state === "healthy", 20_000, "the victim healthy");
  return victim!;
}

/** kill -9 the victim; it must come back with a new pid. */
async function killAndSeeRestart(base: string, r: BinaryRun): Promise<void> {
  const before = (await healthyVictim(base)).pid as number;
  process.kill(before, "SIGKILL");
  await waitFor(async () => {
    const victim = ((await get(base, "/orchestrator/services")) as Json[]).find((s) => s.name === "victim")!;
    return victim.state === "healthy" && victim.pid !== before && (r.pids.add(victim.pid), true);
  }, 20_000, "the victim restarted");
  expect(isGone(before)).toBe(true);
}

test.skipIf(skipReason !== null)(
  `an existing history on a full disk still opens: the fleet starts, seqs go on, and the held events reach it once there is room${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const disk = mountTmpfs("8m");
    mounted = disk.dir!;
    const stateDir = join(mounted, "state");
    const apiPort = freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    // a first run leaves a history behind, and stops cleanly (its -shm file goes with it)
    run = start(stateDir, apiPort);
    await healthyVictim(base);
    const lastSeq = ((await get(base, "/orchestrator/stats")) as Json).events.lastSeq as number;
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    await run.cleanup();

    const filler = join(mounted, "filler");
    fillDisk(filler);
    run = start(stateDir, apiPort);
    await healthyVictim(base);
    const status = await get(base, "/orchestrator/status");
    expect(status.state).toBe("degraded");
    expect(status.reasons[0]).toContain(`history file ${join(stateDir, "orchestrator.db")} opened without its shared-memory file`);
    const events = (await get(base, `/orchestrator/events?since=${lastSeq}&limit=10000`)) as Json[];
    expect(events[0]!.seq).toBe(lastSeq + 1); // the seqs go on from the file's
    expect(events.some((e) => e.type === "notice" && e.payload.kind === "storage-failed")).toBe(true);
    await killAndSeeRestart(base, run);

    rmSync(filler);
    await waitFor(async () => ((await get(base, "/orchestrator/stats")) as Json).storage.ok === true, 20_000, "storage to recover");
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    // this run's events are in the file: nothing of the run on the full disk was lost
    const db = new Database(join(stateDir, "orchestrator.db"), { readonly: true });
    try {
      const restarts = (db.query("SELECT count(*) AS n FROM healing WHERE service = 'victim' AND action = 'restarted'").get() as { n: number }).n;
      expect(restarts).toBe(1);
    } finally {
      db.close();
    }
  },
  90_000,
);

test.skipIf(skipReason !== null)(
  `a state dir with no history yet on a full disk runs with its history in memory, and says so${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const disk = mountTmpfs("8m");
    mounted = disk.dir!;
    const stateDir = join(mounted, "state");
    fillDisk(join(mounted, "filler"));
    const apiPort = freePort();
    const base = `http://127.0.0.1:${apiPort}`;
    run = start(stateDir, apiPort);
    await healthyVictim(base);
    const status = await get(base, "/orchestrator/status");
    expect(status.state).toBe("degraded");
    expect(status.reasons[0]).toStartWith(`history kept in memory only: cannot create ${join(stateDir, "orchestrator.db")}`);
    await killAndSeeRestart(base, run);
    // the history of this run is served from memory
    const healing = (await get(base, "/orchestrator/healing-history?service=victim")) as Json[];
    expect(healing.some((h) => h.action === "restarted")).toBe(true);
    const notice = await run.waitRecord((r) => r.event === "notice" && typeof r.msg === "string" && r.msg.startsWith("history kept in memory only"), 5000, "the notice in the log");
    expect(notice.level).toBe(50);
  },
  60_000,
);
