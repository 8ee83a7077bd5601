/**
 * SPEC §13 supervision under the compiled binary, with real processes: the port guard, protected
 * dependencies, the memory ceiling, daemons that fork (detected, or supervised through pidFile).
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, killPids, waitFor, waitGone } from "../helpers/processes";

const runs: BinaryRun[] = [];
const strays: number[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  const pids = strays.splice(0);
  killPids(pids);
  await waitGone(pids, 3000);
});

const FAST = {
  health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 },
  restart: { backoff: ["0ms", "50ms", "50ms", "50ms", "50ms", "50ms", "50ms"] },
  shutdown: { timeout: "2s" },
};

interface Up {
  run: BinaryRun;
  api: string;
}

function up(services: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): Up {
  const port = freePort();
  const manifest = { version: 1, name: "e2e", api: { host: "127.0.0.1", port }, discovery: { roots: [] }, state: { dir: "state" }, defaults: FAST, ...extra, services };
  const run = new BinaryRun(writeFleetDir(manifest), ["up"]);
  runs.push(run);
  return { run, api: `http://127.0.0.1:${port}` };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`expected 200 from ${url}, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A listener this test starts itself (not through the orchestrator): the foreign holder of a port. */
async function holdPort(port: number): Promise<number> {
  const proc = Bun.spawn(fixtureCommand("healthy.ts"), { env: { PATH: process.env.PATH!, PORT: String(port) }, stdout: "pipe" });
  strays.push(proc.pid);
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("listening")) text += new TextDecoder().decode((await reader.read()).value);
  reader.releaseLock();
  return proc.pid;
}

const isService = (name: string, to: string) => (r: LogRecord) => r.event === "service" && r.service === name && r.to === to;

describe("port guard (compiled binary)", () => {
  test("a port held by a process it did not start: blocked naming the holder, started once the holder is gone", async () => {
    const port = freePort();
    const holder = await holdPort(port);
    const { run, api } = up({ db: { command: fixtureCommand("healthy.ts"), port, health: { http: "/health" } } });
    const blocked = await run.waitRecord(isService("db", "blocked"), 20_000, "db blocked");
    const comm = (await Bun.file(`/proc/${holder}/comm`).text()).trim();
    expect(blocked.msg).toBe(`db: pending -> blocked (port ${port} is held by pid ${holder} (${comm}), not started by this orchestrator)`);
    const status = await getJson<{ state: string; reasons: string[] }>(`${api}/orchestrator/status`);
    expect(status.reasons).toContain(`db is blocked: port ${port} is held by pid ${holder} (${comm}), not started by this orchestrator`);
    expect(run.transitions().filter((t) => t.service === "db" && t.to === "starting")).toEqual([]);

    process.kill(holder, "SIGKILL");
    const healthy = await run.waitRecord(isService("db", "healthy"), 20_000, "db healthy once the port is free");
    const answer = await fetch(`http://127.0.0.1:${port}/health`);
    expect(answer.headers.get("x-pid")).toBe(String(healthy.pid));
    const db = await getJson<{ restarts: number; attempt: number }>(`${api}/orchestrator/services/db`);
    expect({ restarts: db.restarts, attempt: db.attempt }).toEqual({ restarts: 0, attempt: 0 });
  }, 40_000);
});

describe("protected dependencies (compiled binary)", () => {
  test("an app crash-looping through the dependencies tier: postgres (phase 0) and redis (protected: true) keep their pids", async () => {
    const pgPort = freePort();
    const redisPort = freePort();
    const { run, api } = up(
      {
        postgres: { command: fixtureCommand("healthy.ts"), port: pgPort, phase: "critical" },
        redis: { command: fixtureCommand("healthy.ts"), port: redisPort, protected: true },
        app: { command: fixtureCommand("crash-after.ts"), env: { CRASH_AFTER_MS: 100 }, health: false, dependsOn: ["postgres", "redis"], phase: 2 },
      },
      { circuitBreaker: { failureThreshold: 100 } },
    );
    await run.waitRecord((r) => r.event === "healing" && r.service === "app" && r.action === "quarantined", 30_000, "app quarantined after attempt 7");
    const healing = await getJson<{ service: string; action: string; tier?: string; attempt: number; skipped?: { service: string; reason: string }[] }[]>(
      `${api}/orchestrator/healing-history?limit=200`,
    );
    expect(healing.filter((h) => h.service !== "app")).toEqual([]);
    const tier = healing.filter((h) => h.service === "app" && h.action === "restarted" && h.tier === "dependencies");
    expect(tier.map((h) => h.attempt).sort()).toEqual([6, 7]);
    for (const h of tier)
      expect(h.skipped).toEqual([
        { service: "postgres", reason: "protected (phase 0; set protected: false to allow it)" },
        { service: "redis", reason: "protected: true" },
      ]);
    const services = await getJson<{ name: string; restarts: number; pid: number | null }[]>(`${api}/orchestrator/services`);
    for (const name of ["postgres", "redis"]) {
      const s = services.find((x) => x.name === name)!;
      expect(s.restarts).toBe(0);
      expect(run.transitions().filter((t) => t.service === name && t.to === "starting")).toHaveLength(1);
    }
  }, 60_000);
});

describe("memory ceiling (compiled binary)", () => {
  test("a service growing past limits.memory is restarted gracefully with reason memory; the log says how limits are enforced", async () => {
    const { run } = up({
      hog: { command: fixtureCommand("grow-memory.ts"), env: { GROW_MIB: 16, GROW_EVERY_MS: 50 }, health: false, limits: { memory: "160MiB" } },
    });
    const notice = await run.waitRecord((r) => r.event === "notice" && r.kind === "memory-limits", 20_000, "the memory-limits notice");
    expect(notice.msg).toStartWith("limits.memory (hog) is enforced by sampling the RSS of each service's processes every 1 s; cgroup v2 memory.max ");
    const scheduled = await run.waitRecord((r) => r.event === "healing" && r.service === "hog" && r.action === "restart-scheduled", 20_000, "a restart for memory");
    expect(scheduled).toMatchObject({ attempt: 1, tier: "graceful" });
    expect(scheduled.msg).toMatch(/^hog: restart-scheduled \(memory: RSS [\d.]+ MiB \(\d+ bytes, 1 process\) is over limits\.memory 160 MiB \(167772160 bytes\)\)$/);
    const rss = Number(/\((\d+) bytes, /.exec(String(scheduled.msg))![1]);
    expect(rss).toBeGreaterThan(167_772_160);
    await run.waitRecord((r) => r.event === "healing" && r.service === "hog" && r.action === "restarted", 10_000, "hog restarted");
    const pids = run.transitions().filter((t) => t.service === "hog" && t.to === "starting").map((t) => t.pid);
    expect(pids).toHaveLength(2);
    expect(await waitGone([pids[0]!], 5000)).toEqual([]);
  }, 40_000);
});
