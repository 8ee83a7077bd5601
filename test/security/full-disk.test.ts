/**
 * Issue 12, item 1: a full disk never stops supervision. The compiled binary runs with its
 * `state.dir` on a small tmpfs that a filler file and a chatty service fill to the last
 * byte; a service is SIGKILLed again and again meanwhile. The orchestrator must keep
 * restarting it and answering the API, say once (log, /status reasons, /stats, /metrics)
 * that storage fails, and, once the filler is removed, say once that it recovered, with
 * what was held in memory written after all.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, isGone, waitFor } from "../helpers/processes";
import { quickManifest } from "../helpers/quick-manifest";
import { mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";

const MiB = 1024 * 1024;
// 24 MiB disk, 20 MiB of it a filler: 4 MiB left, then a 16 MiB flood. The log file holds
// at most 8 MiB in memory, so some lines are dropped; all of it fits once the filler goes.
const disk = mountTmpfs("24m");
const skipReason = disk.skip;
if (skipReason) console.warn(`skipped: full-disk test: ${skipReason}`);

let run: BinaryRun | undefined;
beforeAll(() => {
  if (!skipReason) ensureBinary();
});
afterAll(async () => {
  await run?.cleanup();
  unmountTmpfs(disk.dir);
});

type Json = Record<string, any>;

async function api(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text (metrics)
  }
  return { status: res.status, body };
}

/** Restarts of the victim in the history file itself (read beside the orchestrator; WAL allows it). */
function restartsOnDisk(stateDir: string): number {
  const db = new Database(join(stateDir, "orchestrator.db"), { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM healing WHERE service = 'victim' AND action = 'restarted'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const notices = (r: BinaryRun, kind: string) => r.records.filter((rec: LogRecord) => rec.event === "notice" && rec.kind === kind);

test.skipIf(skipReason !== null)(
  `a full state.dir never stops supervision, is reported once, and recovery is reported${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  async () => {
    const stateDir = disk.dir!;
    const filler = join(stateDir, "filler");
    writeFileSync(filler, Buffer.alloc(20 * MiB, 0x61));
    const apiPort = freePort();
    run = new BinaryRun(
      writeFleetDir(
        quickManifest("full-disk", {
          apiPort,
          stateDir,
          services: {
            // 5 MiB/s: the orchestrator's own log (which repeats every line) and this test keep up, so no log record is lost
            chatty: { command: fixtureCommand("flood-then-idle.ts"), env: { FLOOD_BYTES: 16 * MiB, LINE_BYTES: 4096, PAUSE_MS: 50, IDLE_MS: 200 }, health: false },
            victim: { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health" } },
          },
        }),
      ),
      ["up"],
    );
    const base = `http://127.0.0.1:${apiPort}`;
    // (polled through the API: re-parsing megabytes of flooded log records would starve this test)
    const storage = async () => (await api(base, "/orchestrator/stats").catch(() => ({ body: {} as Json }))).body.storage as Json | undefined;
    await waitFor(async () => (await storage())?.ok === false, 30_000, "stats to say storage fails");
    await waitFor(async () => ((await api(base, "/orchestrator/services")).body as Json[]).every((s) => s.state === "healthy"), 30_000, "both services healthy");
    const idle = async () => ((await api(base, "/orchestrator/services/chatty/logs?lines=3")).body as Json[]).some((l) => l.line.startsWith("still here"));
    await waitFor(idle, 30_000, "the chatty service to finish its flood");

    // supervision goes on: kill -9 the victim three times, it comes back each time
    const victimPid = async () => ((await api(base, "/orchestrator/services")).body as Json[]).find((s) => s.name === "victim")!;
    let pid = (await victimPid()).pid as number;
    for (let kill = 1; kill <= 3; kill++) {
      process.kill(pid, "SIGKILL");
      const before = pid;
      await waitFor(async () => {
        const victim = await victimPid();
        if (victim.state !== "healthy" || victim.pid === before) return false;
        pid = victim.pid;
        return true;
      }, 20_000, `the victim restarted after kill ${kill}`);
      run.pids.add(pid);
      expect(isGone(before)).toBe(true);
    }
    expect(isGone(run.pid)).toBe(false);

    const status = (await api(base, "/orchestrator/status")).body as Json;
    expect(status.state).toBe("degraded");
    expect(status.reasons[0]).toStartWith("storage failing: cannot write ");
    const stats = (await api(base, "/orchestrator/stats")).body as Json;
    expect(stats.storage.ok).toBe(false);
    expect(stats.storage.lastError).toMatch(/ENOSPC|SQLITE_FULL/);
    expect(stats.storage.droppedLogLines).toBeGreaterThan(0);
    expect(stats.restarts).toBeGreaterThanOrEqual(3);
    const metrics = (await api(base, "/metrics")).body as string;
    expect(metrics).toContain("\norchestrator_storage_ok 0\n");
    expect(metrics).toMatch(/\norchestrator_storage_dropped_log_lines_total [1-9]\d*\n/);
    // reads answer from the file plus what waits in memory: the restarts are there
    const events = await api(base, "/orchestrator/events?since=0&limit=10000");
    expect(events.status).toBe(200);
    const restarted = (events.body as Json[]).filter((e) => e.type === "healing" && e.payload.service === "victim" && e.payload.action === "restarted");
    expect(restarted.length).toBeGreaterThanOrEqual(3);
    const healing = await api(base, "/orchestrator/healing-history?service=victim");
    expect(healing.status).toBe(200);
    expect((healing.body as Json[]).filter((h) => h.action === "restarted").length).toBeGreaterThanOrEqual(3);
    expect(restartsOnDisk(stateDir)).toBe(0); // they wait in memory: the history file refused them too
    expect(notices(run, "storage-failed")).toHaveLength(1);

    // free the space: recovery is reported, once, and what was held is written
    rmSync(filler);
    await waitFor(async () => (await storage())?.ok === true, 30_000, "stats to say storage recovered");
    await run.waitRecord((r) => r.event === "notice" && r.kind === "storage-recovered", 10_000, "a storage-recovered notice");
    const after = (await api(base, "/orchestrator/stats")).body as Json;
    expect(after.storage.ok).toBe(true);
    expect(after.storage.lastError).toMatch(/ENOSPC|SQLITE_FULL/);
    await waitFor(async () => ((await api(base, "/orchestrator/status")).body as Json).state === "ready", 10_000, "the status back to ready");
    expect(((await api(base, "/orchestrator/status")).body as Json).reasons).toEqual([]);
    expect((await api(base, "/metrics")).body).toContain("\norchestrator_storage_ok 1\n");
    const stored = (await api(base, "/orchestrator/events?since=0&limit=10000")).body as Json[];
    expect(stored.filter((e) => e.type === "notice").map((e) => e.payload.kind)).toEqual(["storage-failed", "storage-recovered"]);
    await waitFor(() => restartsOnDisk(stateDir) >= 3, 10_000, "the held restarts to reach the history file");
    expect(notices(run, "storage-failed")).toHaveLength(1);
    expect(notices(run, "storage-recovered")).toHaveLength(1);

    // and supervision still works
    process.kill(pid, "SIGKILL");
    const last = pid;
    await waitFor(async () => {
      const victim = await victimPid();
      return victim.state === "healthy" && victim.pid !== last && (run!.pids.add(victim.pid), true);
    }, 20_000, "the victim restarted after recovery");
  },
  120_000,
);
