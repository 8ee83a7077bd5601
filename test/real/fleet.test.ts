/**
 * The real fleet of docs/RECIPES.md (PostgreSQL, Redis, a Bun app on both, nginx in front)
 * under the compiled binary, as root, as an operator runs it (SPEC §13): each program as its
 * own user with its own stop signal; the service pid is the program's; nginx logs to
 * /dev/stdout; the app reads the ports of its dependencies by reference; `kill -9` of each
 * program heals; PostgreSQL restarted with a client connected shuts down cleanly by its own
 * log and recovers nothing on the next start; a SIGTERM stops everything cleanly; and, in a
 * second fleet, an app crash-looping on a bad PGPORT from its first start leaves PostgreSQL
 * and Redis running with their pids (protected). (A reload to a bad PGPORT is rolled back
 * instead, SPEC §15.) Everything
 * is skipped, with the reason printed, only where the programs are not installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findUser } from "../../src/lib/libc";
import { BinaryRun, ensureBinary } from "../helpers/binary-run";
import { isGone, killPids, waitFor, waitGone } from "../helpers/processes";
import { missingForReal, PG_BIN, readPidFile, uidOf, writeRealFleet, type RealFleet } from "./recipes";

const missing = missingForReal([`${PG_BIN}/postgres`, `${PG_BIN}/initdb`, "redis-server", "redis-cli", "/usr/sbin/nginx", "psql"], ["postgres", "redis", "www-data"]);
if (missing) console.log(`test/real/fleet.test.ts: skipped, it ${missing}`);

// Not in the recipes: a faster ladder and a breaker that stays closed, so a crash loop climbs to the dependencies tier within a test.
const TEST_PACE = [
  "defaults: { restart: { backoff: [200ms, 200ms, 200ms, 300ms, 300ms, 300ms, 300ms] } }",
  "circuitBreaker: { failureThreshold: 50, window: 60s, cooldown: 1s }",
  "",
].join("\n");

interface Summary {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  lastReason: string | null;
  readiness: { source: string; ready: boolean; signal: string | null; status: string | null };
}
interface Line {
  stream: string;
  line: string;
}

/** The API of a running fleet, at the address `base()` gives once it is known. */
function apiOf(base: () => string) {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base()}${path}`);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const post = async (path: string): Promise<number> => (await fetch(`${base()}${path}`, { method: "POST" })).status;
  const service = async (name: string) => (await get<Summary[]>("/orchestrator/services")).find((s) => s.name === name)!;
  const logs = (name: string) => get<Line[]>(`/orchestrator/services/${name}/logs?lines=1000`);
  const logText = async (name: string) => (await logs(name)).map((l) => l.line).join("\n");
  return { get, post, service, logs, logText };
}

describe.skipIf(missing !== null)("the real fleet of docs/RECIPES.md under the compiled binary (as root)", () => {
  let fleet: RealFleet;
  let run: BinaryRun;
  let api = "";
  const clients: number[] = [];

  const { get, post, service, logs, logText } = apiOf(() => api);
  /** Healthy with a pid other than `not` (a restart done). */
  const healthyAgain = async (name: string, not: number | null, timeoutMs = 60_000): Promise<Summary> => {
    let now!: Summary;
    await waitFor(async () => ((now = await service(name)).state === "healthy" && now.pid !== null && now.pid !== not), timeoutMs, `${name} healthy again with a new pid`);
    return now;
  };
  const postmasterPid = () => readPidFile(join(fleet.env.PGDATA!, "postmaster.pid"));

  beforeAll(async () => {
    ensureBinary();
    fleet = writeRealFleet(["postgres", "redis", "app", "nginx"], TEST_PACE);
    api = `http://127.0.0.1:${fleet.ports.API_PORT}`;
    const check = Bun.spawnSync([join(import.meta.dir, "../../dist/orchestrator"), "check"], { cwd: fleet.dir, env: fleet.env });
    expect(check.stderr.toString()).toBe(""); // no error and no warning
    expect(check.exitCode).toBe(0);
    run = new BinaryRun(fleet.dir, ["up"], { env: fleet.env });
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 120_000, "the real fleet ready");
  }, 150_000);

  afterAll(async () => {
    killPids(clients);
    await waitGone(clients, 3000);
    await run?.cleanup();
    fleet?.remove();
  }, 60_000);

  test("every program runs as its own user, and the service pid is the program's own", async () => {
    const [db, cache, web, app] = await Promise.all(["db", "cache", "web", "app"].map(service));
    expect(await service("db-init")).toMatchObject({ state: "completed" });
    expect([db, cache, app, web].map((s) => s!.state)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    expect(db!.pid).toBe(postmasterPid()!);
    expect(web!.pid).toBe(readPidFile(join(fleet.dir, "web/run/nginx.pid"))!);
    const info = Bun.spawnSync(["redis-cli", "-p", String(fleet.ports.REDIS_PORT), "info", "server"]).stdout.toString();
    expect(Number(/process_id:(\d+)/.exec(info)?.[1])).toBe(cache!.pid!);
    expect(uidOf(db!.pid!)).toBe(findUser("postgres")!.uid);
    expect(uidOf(cache!.pid!)).toBe(findUser("redis")!.uid);
    expect(uidOf(web!.pid!)).toBe(findUser("www-data")!.uid);
    // PostgreSQL said it was ready itself (sd_notify READY=1; it sends no STATUS=)
    expect(db!.readiness).toMatchObject({ source: "systemd", ready: true, signal: "READY=1" });
    // pg_isready runs as postgres: the server never saw a connection attempt as root
    expect(await logText("db")).not.toContain('role "root" does not exist');
  });

  test("a request through nginx reaches the app, which reads PostgreSQL and Redis on the ports it was given by reference", async () => {
    const response = await fetch(`http://127.0.0.1:${fleet.ports.WEB_PORT}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    const { config } = await get<{ config: { env: Record<string, string> } }>("/orchestrator/services/app");
    expect(config.env).toMatchObject({ PGPORT: String(fleet.ports.PG_PORT), REDIS_PORT: String(fleet.ports.REDIS_PORT), PORT: String(fleet.ports.APP_PORT) });
    // nginx's `access_log /dev/stdout` works: the line is in its stdout, through the real pipe
    await waitFor(async () => (await logs("web")).some((l) => l.stream === "stdout" && l.line.includes('"GET /health HTTP/1.1" 200')), 10_000, "nginx's access log line on stdout");
    expect(await logText("web")).not.toContain("/dev/stdout");
  });

  test("kill -9 of each program: healed, healthy again with a new pid, and the fleet serves again", async () => {
    for (const name of ["cache", "web", "app", "db"]) {
      const before = await service(name);
      process.kill(before.pid!, "SIGKILL");
      const after = await healthyAgain(name, before.pid);
      expect(after.restarts).toBeGreaterThan(before.restarts);
    }
    expect((await service("db")).pid).toBe(postmasterPid()!);
    // postgres after a SIGKILL: crash recovery, and no stale-lock failure
    const db = await logText("db");
    expect(db).toContain("database system was interrupted");
    expect(db).not.toContain("lock file \"postmaster.pid\" already exists");
    await waitFor(async () => (await fetch(`http://127.0.0.1:${fleet.ports.WEB_PORT}/health`)).status === 200, 30_000, "the fleet to serve again");
  }, 240_000);

  test("a restart of PostgreSQL with a client connected is a clean shutdown by its own log, and the next start recovers nothing", async () => {
    const client = Bun.spawn(["psql", "-h", "127.0.0.1", "-p", String(fleet.ports.PG_PORT), "-U", "postgres", "-c", "select pg_sleep(600)"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    clients.push(client.pid);
    await waitFor(
      () => Bun.spawnSync(["psql", "-h", "127.0.0.1", "-p", String(fleet.ports.PG_PORT), "-U", "postgres", "-tAc", "select count(*) from pg_stat_activity where query like 'select pg_sleep%'"]).stdout.toString().trim() === "1",
      15_000,
      "the client's query to run",
    );
    const before = await service("db");
    const mark = (await logs("db")).length;
    expect(await post("/orchestrator/restart/db")).toBe(202);
    const after = await healthyAgain("db", before.pid);
    expect(after.pid).toBe(postmasterPid()!);
    const lines = (await logs("db")).slice(mark).map((l) => l.line);
    const text = lines.join("\n");
    expect(text).toContain("received fast shutdown request");
    expect(text).toContain("database system is shut down");
    expect(text).toContain("database system was shut down at");
    expect(text).not.toContain("not properly shut down");
    expect(text).not.toContain("automatic recovery in progress");
    expect(text).not.toContain("lock file");
    expect(await client.exited).not.toBe(0); // its session was ended by the fast shutdown
    expect(await new Response(client.stderr).text()).toContain("terminating connection due to administrator command");
  }, 120_000);

  test("a reload to a bad PGPORT is rolled back (SPEC §15): the app runs its previous config again, PostgreSQL keeps its pid", async () => {
    const db = await service("db");
    const manifest = join(fleet.dir, "orchestrator.yaml");
    const good = readFileSync(manifest, "utf8");
    writeFileSync(manifest, good.replace('PGPORT: "${services.db.port}"', 'PGPORT: "1"'));
    try {
      const response = await fetch(`${api}/orchestrator/reload?wait=true`, { method: "POST" });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { rolledBack?: string[] }).rolledBack).toEqual(["app"]);
    } finally {
      writeFileSync(manifest, good);
    }
    await waitFor(async () => (await service("app")).state === "healthy", 60_000, "the app healthy on its previous config");
    const { config } = await get<{ config: { env: Record<string, string> } }>("/orchestrator/services/app");
    expect(config.env.PGPORT).toBe(String(fleet.ports.PG_PORT));
    expect((await service("db")).pid).toBe(db.pid);
  }, 120_000);

  test("SIGTERM stops the fleet: exit 0, and each program's own log says it shut down cleanly", async () => {
    const pids = (await get<Summary[]>("/orchestrator/services")).flatMap((s) => (s.pid ? [s.pid] : []));
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await waitGone(pids, 10_000)).toEqual([]);
    const file = (name: string) => readFileSync(join(fleet.dir, "state/logs", `${name}.log`), "utf8");
    const db = file("db").trimEnd().split("\n");
    expect(db.at(-1)).toContain("database system is shut down");
    expect(file("cache")).toContain("ready to exit, bye bye");
    expect(file("web")).toMatch(/gracefully shutting down|exiting/);
    expect(postmasterPid()).toBeNull(); // postgres removed its own lock file
  }, 90_000);
});

describe.skipIf(missing !== null)("an app that crash-loops on a bad PGPORT from its first start (compiled binary, as root)", () => {
  let fleet: RealFleet;
  let run: BinaryRun;
  let api = "";
  const { get, post, service, logText } = apiOf(() => api);
  const GOOD = 'PGPORT: "${services.db.port}"';

  beforeAll(async () => {
    ensureBinary();
    fleet = writeRealFleet(["postgres", "redis", "app"], TEST_PACE);
    api = `http://127.0.0.1:${fleet.ports.API_PORT}`;
    const manifest = join(fleet.dir, "orchestrator.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(GOOD, 'PGPORT: "1"'));
    run = new BinaryRun(fleet.dir, ["up"], { env: fleet.env });
    await run.waitRecord((r) => r.event === "service" && r.service === "db" && r.to === "healthy", 120_000, "db healthy");
  }, 150_000);

  afterAll(async () => {
    await run?.cleanup();
    fleet?.remove();
  }, 60_000);

  test("it climbs the ladder to the dependencies tier, which leaves PostgreSQL and Redis alone (protected): same pids, no restarts", async () => {
    const [db, cache] = await Promise.all([service("db"), service("cache")]);
    const healing = () => get<{ service: string; action: string; tier?: string | null; reason?: string | null }[]>("/orchestrator/healing-history?service=app&limit=500");
    await waitFor(async () => (await healing()).some((h) => h.tier === "dependencies" && h.action === "restarted"), 120_000, "the app's dependencies tier");
    const tier = (await healing()).find((h) => h.tier === "dependencies" && (h.reason ?? "").includes("dependencies left alone"));
    expect(tier?.reason).toContain("db (protected (phase 0; set protected: false to allow it))");
    expect(tier?.reason).toContain("cache (protected (phase 0; set protected: false to allow it))");
    const now = await Promise.all([service("db"), service("cache")]);
    expect(now.map((s) => [s.pid, s.state, s.restarts])).toEqual([
      [db.pid, "healthy", 0],
      [cache.pid, "healthy", 0],
    ]);
    expect(isGone(db.pid!)).toBe(false);
    expect(await logText("app")).toMatch(/CONNECTION_REFUSED|ECONNREFUSED/);
  }, 150_000);

  test("a reload with the right PGPORT makes it healthy; PostgreSQL still has its pid", async () => {
    const db = await service("db");
    const manifest = join(fleet.dir, "orchestrator.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('PGPORT: "1"', GOOD));
    expect(await post("/orchestrator/reload")).toBe(200);
    if ((await service("app")).state === "quarantined") expect(await post("/orchestrator/restart/app")).toBe(202);
    await waitFor(async () => (await service("app")).state === "healthy", 120_000, "the app healthy once PGPORT is right");
    expect((await service("db")).pid).toBe(db.pid);
  }, 150_000);
});
