/**
 * A real PostgreSQL 15 (Debian's, built --with-systemd) with `ready: { notify: systemd }`
 * under the compiled binary, run in the foreground as `user: postgres`: postgres itself
 * sends READY=1 on NOTIFY_SOCKET once it accepts connections, and the dependent, which
 * queries it the moment it starts (and fails at once if it cannot), starts only after that.
 * On stop it sends STOPPING=1. No probe is involved: `health: false`.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findUser } from "../../src/lib/libc";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { freePort, waitFor, waitGone } from "../helpers/processes";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const postgres = findUser("postgres");
const missing = !existsSync(`${PG_BIN}/postgres`) ? `no PostgreSQL 15 at ${PG_BIN}` : !postgres ? "no postgres user" : process.getuid?.() !== 0 ? "needs root to run postgres as its user" : null;
if (missing) console.warn(`ready-postgres: skipped: ${missing}`);
const runs: BinaryRun[] = [];

beforeAll(() => void (missing || ensureBinary()));
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

const isService = (name: string, to: string) => (r: Record<string, unknown>) => r.event === "service" && r.service === name && r.to === to;

describe.skipIf(missing !== null)("PostgreSQL with ready: { notify: systemd }", () => {
  test("postgres's own READY=1 makes it ready; the dependent starts after it and its first query succeeds; STOPPING=1 on stop", async () => {
    const dir = writeFleetDir({});
    const pgDir = join(dir, "pg");
    mkdirSync(pgDir);
    chownSync(pgDir, postgres!.uid, postgres!.gid);
    chmodSync(dir, 0o755);
    const initdb = Bun.spawnSync(["runuser", "-u", "postgres", "--", `${PG_BIN}/initdb`, "-D", `${pgDir}/data`, "-A", "trust", "-U", "postgres"], { stdout: "ignore", stderr: "pipe" });
    expect(initdb.exitCode).toBe(0);
    const port = freePort();
    const apiPort = freePort();
    const services = {
      db: {
        command: [`${PG_BIN}/postgres`, "-D", `${pgDir}/data`, "-p", String(port), "-k", pgDir, "-c", "listen_addresses=127.0.0.1"],
        user: "postgres",
        port,
        ready: { notify: "systemd" },
        health: false,
        shutdown: { signal: "SIGINT", timeout: "30s" },
      },
      // queries at once; with restart policy never, a start before postgres accepts connections would fail it for good
      app: {
        command: ["/bin/sh", "-c", `psql -h ${pgDir} -p ${port} -U postgres -Atc 'select 40 + 2' && exec sleep 3600`],
        dependsOn: ["db"],
        health: false,
        restart: { policy: "never" },
      },
    };
    const manifest = { version: 1, name: "pg-notify", api: { host: "127.0.0.1", port: apiPort }, discovery: { roots: [] }, state: { dir: "state" }, services };
    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(manifest));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    const api = `http://127.0.0.1:${apiPort}`;
    await run.waitRecord(isService("app", "healthy"), 40_000, "app healthy");
    const order = run.transitions().map((t) => `${t.service}:${t.to}`);
    expect(order.indexOf("app:starting")).toBeGreaterThan(order.indexOf("db:healthy"));
    const db = (await (await fetch(`${api}/orchestrator/services/db`)).json()) as { pid: number; readiness: { source: string; signal: string; stopping: boolean } };
    expect([db.readiness.source, db.readiness.signal]).toEqual(["systemd", "READY=1"]);
    expect((await Bun.file(`/proc/${db.pid}/comm`).text()).trim()).toBe("postgres");
    const appLogs = (await (await fetch(`${api}/orchestrator/services/app/logs?lines=20`)).json()) as { line: string }[];
    expect(appLogs.map((l) => l.line)).toContain("42");
    const dbLogs = (await (await fetch(`${api}/orchestrator/services/db/logs?lines=50`)).json()) as { line: string }[];
    expect(dbLogs.some((l) => l.line.includes("database system is ready to accept connections"))).toBe(true);
    expect((await fetch(`${api}/orchestrator/stop/db`, { method: "POST" })).status).toBe(202);
    await run.waitRecord(isService("db", "stopped"), 30_000, "postgres stopped");
    expect(await waitGone([db.pid], 5000)).toEqual([]);
    let stopping = false;
    await waitFor(async () => (stopping = ((await (await fetch(`${api}/orchestrator/services/db`)).json()) as typeof db).readiness.stopping), 5000, "STOPPING=1 shown");
    expect(stopping).toBe(true);
  }, 90_000);
});
