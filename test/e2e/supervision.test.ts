/**
 * SPEC §13 supervision under the compiled binary, with real processes: the port guard, protected
 * dependencies, the memory ceiling, daemons that fork (detected, or supervised through pidFile).
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
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

function fleetManifest(services: Record<string, Record<string, unknown>>, extra: Record<string, unknown>, port: number): Record<string, unknown> {
  return { version: 1, name: "e2e", api: { host: "127.0.0.1", port }, discovery: { roots: [] }, state: { dir: "state" }, defaults: FAST, ...extra, services };
}

function up(services: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): Up {
  const port = freePort();
  const run = new BinaryRun(writeFleetDir(fleetManifest(services, extra, port)), ["up"]);
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

describe("check (compiled binary)", () => {
  test("warns, at the service's port, about a port something already listens on, and still succeeds", async () => {
    const port = freePort();
    const holder = await holdPort(port);
    const dir = writeFleetDir(fleetManifest({ db: { command: fixtureCommand("healthy.ts"), port } }, {}, freePort()));
    try {
      const result = Bun.spawnSync([BINARY, "check"], { cwd: dir, env: { PATH: process.env.PATH! } });
      const comm = (await Bun.file(`/proc/${holder}/comm`).text()).trim();
      expect(result.exitCode).toBe(0);
      expect(result.stderr.toString()).toMatch(
        new RegExp(`^orchestrator\\.yaml:\\d+:\\d+ services\\.db\\.port: warning: port ${port} is held by pid ${holder} \\(${comm.replace(".", "\\.")}\\), not started by an orchestrator: "db" would wait, blocked, until it is free\n$`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
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

const REDIS = Bun.which("redis-server");
const PG_BIN = "/usr/lib/postgresql/15/bin";
const idOf = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString().trim() || -1);
const POSTGRES_UID = idOf("-u");
const POSTGRES_GID = idOf("-g");
// as root, with Debian's PostgreSQL 15 and its postgres user (the real-software suite installs them in CI)
const HAS_PG = existsSync(`${PG_BIN}/pg_ctl`) && Bun.which("runuser") !== null && process.getuid?.() === 0 && POSTGRES_UID >= 0;

/** Where a test's daemon files go: inside the fleet dir, removed with it. */
function fleetFile(run: BinaryRun, name: string): string {
  return `${run.dir}/${name}`;
}

describe("daemons (compiled binary)", () => {
  test("a service that forks away and exits 0 at once is failed as daemonized, not completed; the daemon it left is killed", async () => {
    const port = freePort();
    const { run, api } = up({
      legacy: { command: fixtureCommand("forking-daemon.ts"), env: { PORT: port, PID_FILE: "daemon.pid" }, port, health: { tcp: port } },
    });
    const gaveUp = await run.waitRecord((r) => r.event === "healing" && r.service === "legacy" && r.action === "gave-up", 20_000, "legacy gave up");
    expect(gaveUp.msg).toMatch(
      /^legacy: gave-up \(looks daemonized: exited with code 0 \d+ms after starting and left pid \d+ \(.+\) outside its process group \(killed with it\); keep it in the foreground \(e\.g\. `redis-server --daemonize no`.+ or set `pidFile:` to supervise the pid it writes\)$/,
    );
    const daemon = Number(/left pid (\d+)/.exec(String(gaveUp.msg))![1]);
    expect(await waitGone([daemon], 5000)).toEqual([]);
    const killed = run.records.find((r) => r.event === "notice" && r.kind === "descendants-killed" && r.service === "legacy");
    expect(killed?.msg).toStartWith(`legacy: killed 1 process that escaped its process group: ${daemon} (`);
    const svc = await getJson<{ state: string }>(`${api}/orchestrator/services/legacy`);
    expect(svc.state).toBe("failed");
    expect(run.transitions().some((t) => t.service === "legacy" && t.to === "completed")).toBe(false);
  }, 40_000);

  test("pidFile: the daemon's pid is supervised and shown, kill -9 of it is healed, SIGKILL of the orchestrator takes it along", async () => {
    const port = freePort();
    const { run, api } = up({
      legacy: { command: fixtureCommand("forking-daemon.ts"), env: { PORT: port, PID_FILE: "legacy.pid" }, port, pidFile: "legacy.pid", health: { http: "/" } },
    });
    const ready = await run.waitRecord(isService("legacy", "healthy"), 20_000, "legacy healthy");
    const served = Number((await fetch(`http://127.0.0.1:${port}/`)).headers.get("x-pid"));
    expect(ready.pid).toBe(served);
    expect((await getJson<{ pid: number }>(`${api}/orchestrator/services/legacy`)).pid).toBe(served);
    const adopted = run.records.find((r) => r.event === "notice" && r.kind === "daemon-adopted");
    expect(adopted?.msg).toStartWith(`legacy: supervising pid ${served} (`);
    expect(run.records.some((r) => r.kind === "descendants-killed")).toBe(false);

    process.kill(served, "SIGKILL");
    const detected = await run.waitRecord((r) => r.event === "healing" && r.service === "legacy" && r.action === "detected", 5000, "the daemon's death detected");
    expect(detected.msg).toBe("legacy: detected (killed by SIGKILL)");
    const again = await run.waitRecord((r) => isService("legacy", "healthy")(r) && r.pid !== served, 20_000, "legacy healthy with a new daemon");
    const second = Number(again.pid);
    expect(Number((await fetch(`http://127.0.0.1:${port}/`)).headers.get("x-pid"))).toBe(second);

    process.kill(run.pid, "SIGKILL");
    expect(await waitGone([second], 10_000)).toEqual([]);
  }, 60_000);

  test("pidFile: stopping the service sends the daemon its shutdown signal (it removes its pid file), and it exits cleanly", async () => {
    const port = freePort();
    const { run, api } = up({
      legacy: { command: fixtureCommand("forking-daemon.ts"), env: { PORT: port, PID_FILE: "legacy.pid", STOP_DELAY_MS: 200 }, port, pidFile: "legacy.pid", health: { tcp: port } },
    });
    const ready = await run.waitRecord(isService("legacy", "healthy"), 20_000, "legacy healthy");
    expect(await Bun.file(fleetFile(run, "legacy.pid")).exists()).toBe(true);
    expect((await fetch(`${api}/orchestrator/stop/legacy`, { method: "POST" })).status).toBe(202);
    await run.waitRecord(isService("legacy", "stopped"), 10_000, "legacy stopped");
    expect(await waitGone([Number(ready.pid)], 5000)).toEqual([]);
    expect(await Bun.file(fleetFile(run, "legacy.pid")).exists()).toBe(false); // its SIGTERM handler ran: not a SIGKILL
  }, 40_000);

  test("pidFile: no pid within startupTimeout fails the start saying where it looked, and the daemon it forked is killed", async () => {
    const port = freePort();
    const { run } = up({
      legacy: {
        command: fixtureCommand("forking-daemon.ts"),
        env: { PORT: port, PID_FILE: "legacy.pid", PID_FILE_DELAY_MS: 60_000 },
        pidFile: "legacy.pid",
        startupTimeout: "1s",
        health: { tcp: port },
        restart: { policy: "never" },
      },
    });
    const detected = await run.waitRecord((r) => r.event === "healing" && r.service === "legacy" && r.action === "detected", 20_000, "the failed start");
    expect(detected.msg).toBe(`legacy: detected (could not start: no pid in its pidFile ${run.dir}/legacy.pid within 1000ms; its starter exited with code 0)`);
    const killed = await run.waitRecord((r) => r.event === "notice" && r.kind === "descendants-killed" && r.service === "legacy", 5000, "the daemon killed");
    expect(await waitGone([Number(killed.pid)], 5000)).toEqual([]);
  }, 40_000);

  test.skipIf(!REDIS)("redis-server --daemonize yes: daemonized without pidFile; supervised by the pid it writes with --pidfile", async () => {
    const port = freePort();
    const redis = (extra: string[]) => [REDIS!, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes", ...extra];
    const plain = up({ redis: { command: redis(["--dir", "."]), port, health: { tcp: port } } });
    const gaveUp = await plain.run.waitRecord((r) => r.event === "healing" && r.service === "redis" && r.action === "gave-up", 20_000, "redis gave up");
    expect(gaveUp.msg).toContain("looks daemonized: exited with code 0");
    // redis's daemonize() is `if (fork()) exit(0); setsid();`: the exit races the child's setsid, so the child is
    // caught either still in the group (group kill) or already outside it (escape catcher). Both are killed and named.
    expect(gaveUp.msg).toMatch(/left pid \d+ \(redis-server\) (outside|running in) its process group \(killed with it\)/);
    const escaped = Number(/left pid (\d+)/.exec(String(gaveUp.msg))![1]);
    expect(await waitGone([escaped], 5000)).toEqual([]);
    await plain.run.cleanup();

    const { run, api } = up({ redis: { command: redis(["--dir", ".", "--pidfile", "redis.pid"]), port, pidFile: "redis.pid", health: { tcp: port } } });
    const ready = await run.waitRecord(isService("redis", "healthy"), 20_000, "redis healthy");
    const pid = Number(ready.pid);
    expect((await Bun.file(`/proc/${pid}/comm`).text()).trim()).toBe("redis-server");
    expect((await getJson<{ pid: number }>(`${api}/orchestrator/services/redis`)).pid).toBe(pid);
    expect((await fetch(`${api}/orchestrator/stop/redis`, { method: "POST" })).status).toBe(202);
    await run.waitRecord(isService("redis", "stopped"), 10_000, "redis stopped");
    expect(await waitGone([pid], 5000)).toEqual([]);
    expect(await Bun.file(fleetFile(run, "redis.pid")).exists()).toBe(false); // redis removes it on a clean SIGTERM shutdown
  }, 60_000);

  test.skipIf(!HAS_PG)("pg_ctl start -w: postgres supervised through postmaster.pid, stopped by SIGINT with a clean shutdown", async () => {
    const port = freePort();
    const dir = writeFleetDir({}); // the manifest is written below, once the cluster exists
    const pgDir = join(dir, "pg");
    mkdirSync(pgDir);
    chownSync(pgDir, POSTGRES_UID, POSTGRES_GID);
    chmodSync(dir, 0o755);
    const initdb = Bun.spawnSync(["runuser", "-u", "postgres", "--", `${PG_BIN}/initdb`, "-D", `${pgDir}/data`, "-A", "trust", "-U", "postgres"], { stdout: "ignore", stderr: "pipe" });
    expect(initdb.exitCode).toBe(0);
    const apiPort = freePort();
    const db = {
      command: ["runuser", "-u", "postgres", "--", `${PG_BIN}/pg_ctl`, "start", "-D", `${pgDir}/data`, "-w", "-l", `${pgDir}/pg.log`, "-o", `-p ${port} -k ${pgDir} -c listen_addresses=127.0.0.1`],
      port,
      pidFile: "pg/data/postmaster.pid",
      phase: "critical",
      health: { tcp: port },
      shutdown: { signal: "SIGINT", timeout: "30s" },
    };
    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(fleetManifest({ db }, {}, apiPort)));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    const api = `http://127.0.0.1:${apiPort}`;
    const ready = await run.waitRecord(isService("db", "healthy"), 30_000, "postgres healthy");
    const postmaster = Number(ready.pid);
    expect(readFileSync(`${pgDir}/data/postmaster.pid`, "latin1").split("\n")[0]).toBe(String(postmaster));
    expect((await Bun.file(`/proc/${postmaster}/comm`).text()).trim()).toBe("postgres");
    expect((await getJson<{ pid: number }>(`${api}/orchestrator/services/db`)).pid).toBe(postmaster);
    expect((await fetch(`${api}/orchestrator/stop/db`, { method: "POST" })).status).toBe(202);
    await run.waitRecord(isService("db", "stopped"), 30_000, "postgres stopped");
    expect(await waitGone([postmaster], 5000)).toEqual([]);
    const log = readFileSync(`${pgDir}/pg.log`, "latin1");
    expect(log).toContain("received fast shutdown request");
    expect(log).toContain("database system is shut down");
    expect(existsSync(`${pgDir}/data/postmaster.pid`)).toBe(false);
  }, 90_000);
});
