/**
 * SPEC §13 through the compiled binary, as root: a service run as `postgres` with a umask,
 * nice value and limits, its exec probe as postgres, real pipes for its output, signals that
 * reach it, a shutdown command with MAINPID; a daemon it forks is still caught; `check` run as
 * postgres (not root) refuses another user. The fixture (print-identity.sh) reports what it
 * got from its own /proc entry.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findGroup, findUser } from "../../src/lib/libc";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixturePath, freePort, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const postgres = findUser("postgres")!;
const sslCert = findGroup("ssl-cert")!;
const identity = ["/bin/sh", fixturePath("print-identity.sh")];
const runs: BinaryRun[] = [];
const printed: number[] = [];
const cleanups: (() => void)[] = [];

beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  killPids(printed.splice(0));
  for (const clean of cleanups.splice(0)) clean();
});

function up(services: Record<string, Record<string, unknown>>): { run: BinaryRun; api: string } {
  const port = freePort();
  const manifest = { version: 1, name: "run-as", api: { host: "127.0.0.1", port }, discovery: { roots: [] }, state: { dir: "state" }, services };
  const dir = writeFleetDir(manifest);
  const run = new BinaryRun(dir, ["up"]);
  runs.push(run);
  return { run, api: `http://127.0.0.1:${port}` };
}

async function get<T>(api: string, path: string): Promise<T> {
  const response = await fetch(`${api}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function post(api: string, path: string): Promise<void> {
  expect((await fetch(`${api}${path}`, { method: "POST" })).status).toBe(202);
}

type Line = { stream: string; line: string };
const logsOf = (api: string, name: string) => get<Line[]>(api, `/orchestrator/services/${name}/logs?lines=200`);

async function waitLog(api: string, name: string, line: string): Promise<Line[]> {
  let lines: Line[] = [];
  await waitFor(async () => (lines = await logsOf(api, name)).some((l) => l.line === line), 15_000, `${name} to print "${line}"`);
  return lines;
}

const stoppedRecord = (service: string) => (r: LogRecord) => r.event === "service" && r.service === service && r.to === "stopped";

describe("a service run as postgres (compiled binary, as root)", () => {
  test("ids, groups, umask, nice, limits, HOME/USER/LOGNAME, real pipes; its pid is the program's and SIGINT reaches it", async () => {
    const probeDir = mkdtempSync(join(tmpdir(), "run-as-probe-"));
    chmodSync(probeDir, 0o777);
    cleanups.push(() => rmSync(probeDir, { recursive: true, force: true }));
    const { run, api } = up({
      db: {
        command: identity,
        user: "postgres",
        umask: "0027",
        nice: 4,
        limits: { nofile: 2048, nproc: 4096, core: 0 },
        health: { exec: `echo "$(id -u) $USER" > ${join(probeDir, "probe")}`, interval: "1s" },
        shutdown: { signal: "SIGINT", timeout: "10s" },
      },
    });
    await run.waitRecord((r) => r.event === "service" && r.service === "db" && r.to === "healthy", 20_000, "db healthy");
    const lines = await waitLog(api, "db", "ready");
    const text = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.line);
    const detail = await get<{ pid: number; config: { account: unknown } }>(api, "/orchestrator/services/db");
    expect(text("stdout")).toContain(`pid=${detail.pid}`);
    expect(readFileSync(`/proc/${detail.pid}/cmdline`, "latin1").split("\0")).toContain(fixturePath("print-identity.sh"));
    expect(detail.config.account).toEqual({ user: "postgres", uid: 101, group: "postgres", gid: postgres.gid, groups: [postgres.gid, sslCert.gid], home: postgres.home });
    expect(text("stdout")).toEqual(
      expect.arrayContaining([
        "uid=101 101 101 101",
        `gid=${postgres.gid} ${postgres.gid} ${postgres.gid} ${postgres.gid}`,
        `groups=${[sslCert.gid, postgres.gid].sort((a, b) => a - b).join(" ")}`,
        "umask=0027",
        "nice=4",
        "nofile=2048 2048",
        "nproc=4096 4096",
        "core=0 0",
        `home=${postgres.home} user=postgres logname=postgres`,
        "fds=/dev/null pipe pipe",
        "via /dev/stdout",
        "via /proc/self/fd/1",
        "stdin=0 bytes",
      ]),
    );
    expect(text("stderr")).toEqual(["via /dev/stderr"]);
    // the exec probe ran as postgres, with the account's USER
    expect(readFileSync(join(probeDir, "probe"), "utf8").trim()).toBe("101 postgres");

    await post(api, "/orchestrator/stop/db");
    await run.waitRecord(stoppedRecord("db"), 15_000, "db stopped");
    expect((await logsOf(api, "db")).map((l) => l.line)).toContain("got SIGINT");
  }, 40_000);

  test("shutdown.command runs as the user with MAINPID, its output in the service's log; the service exits through it", async () => {
    const { run, api } = up({
      db: {
        command: identity,
        env: { IGNORE_TERM: "1" },
        user: "postgres",
        group: "ssl-cert",
        health: false,
        shutdown: { timeout: "20s", command: 'echo "stopping $MAINPID as $(id -un):$(id -gn)"; kill -s USR1 "$MAINPID"' },
      },
    });
    await run.waitRecord((r) => r.event === "service" && r.service === "db" && r.to === "healthy", 20_000, "db healthy");
    const { pid } = await get<{ pid: number }>(api, "/orchestrator/services/db");
    await post(api, "/orchestrator/stop/db");
    // stopped long before the 20 s timeout would SIGKILL it
    await run.waitRecord(stoppedRecord("db"), 15_000, "db stopped");
    const lines = (await logsOf(api, "db")).map((l) => l.line);
    expect(lines).toContain(`stopping ${pid} as postgres:ssl-cert`);
    expect(lines).toContain("got SIGUSR1");
    expect(run.records.some((r) => r.service === "db" && typeof r.msg === "string" && r.msg.includes("stopping"))).toBe(true);
  }, 40_000);

  test("a daemon forked by a service run as postgres dies with the service, and with a SIGKILLed orchestrator", async () => {
    const { run, api } = up({
      stopped: { command: ["/bin/sh", fixturePath("double-fork.sh")], user: "postgres", health: false },
      killed: { command: ["/bin/sh", fixturePath("double-fork.sh")], user: "postgres", health: false },
    });
    const daemonOf = async (service: string) => {
      let daemon = 0;
      await waitFor(() => {
        const line = run.records.find((r) => r.service === service && typeof r.msg === "string" && r.msg.startsWith("{"));
        daemon = line ? (JSON.parse(line.msg!) as { grandchildren: number[] }).grandchildren[0]! : 0;
        return daemon > 0;
      }, 15_000, `${service}'s daemon`);
      printed.push(daemon);
      return daemon;
    };
    const first = await daemonOf("stopped");
    const second = await daemonOf("killed");
    expect(readFileSync(`/proc/${first}/status`, "latin1")).toMatch(/^Uid:\s+101\s/m);
    await post(api, "/orchestrator/stop/stopped");
    await run.waitRecord(stoppedRecord("stopped"), 15_000, "stopped stopped");
    expect(await waitGone([first], 5000)).toEqual([]);
    expect(isGone(second)).toBe(false);

    const services = run.collectPids();
    process.kill(run.pid, "SIGKILL");
    await run.exited;
    expect(await waitGone([second, ...services], 10_000)).toEqual([]);
  }, 40_000);
});

describe("reload", () => {
  test("a new user is resolved by the loading worker and restarts the service as that user", async () => {
    const services = (user: string) => ({ db: { command: identity, user, health: false } });
    const { run, api } = up(services("root"));
    await run.waitRecord((r) => r.event === "service" && r.service === "db" && r.to === "healthy", 20_000, "db healthy");
    await waitLog(api, "db", "uid=0 0 0 0");
    const manifest = join(run.dir, "orchestrator.yaml");
    const written = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
    writeFileSync(manifest, JSON.stringify({ ...written, services: services("postgres") }));
    const response = await fetch(`${api}/orchestrator/reload`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ changed: [{ name: "db", fields: ["account"] }] });
    await waitLog(api, "db", "uid=101 101 101 101");
  }, 40_000);
});

describe("check", () => {
  test("as postgres (not root), a service with another user or group is an error that says so", async () => {
    const dir = writeFleetDir({
      version: 1,
      discovery: { roots: [] },
      services: {
        db: { command: ["sleep", "1"], user: "root" },
        own: { command: ["sleep", "1"], user: "postgres" },
        grouped: { command: ["sleep", "1"], user: "postgres", group: "ssl-cert" },
      },
    });
    chmodSync(dir, 0o755);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const manifest = join(dir, "orchestrator.yaml");
    chmodSync(manifest, 0o644);
    const check = Bun.spawnSync(["setpriv", `--reuid=${postgres.uid}`, `--regid=${postgres.gid}`, "--init-groups", "--", BINARY, "check", "-c", manifest], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: postgres.home },
    });
    const out = check.stdout.toString() + check.stderr.toString();
    expect(check.exitCode).toBe(2);
    const runsAs = `the orchestrator runs as uid 101 ("postgres") with gid ${postgres.gid}, not as root`;
    expect(out).toContain(`orchestrator.yaml:12:15 services.db.user: running as user "root" (uid 0) needs root: ${runsAs}`);
    expect(out).toContain(`services.grouped.group: running with group "ssl-cert" (gid ${sslCert.gid}) needs root: ${runsAs}`);
    expect(out).not.toContain("services.own");
    expect(out).toContain("2 problems found");
  });

  test("as root, an unknown user or group is a positioned error with a suggestion", () => {
    const dir = writeFleetDir({ version: 1, discovery: { roots: [] }, services: { db: { command: ["sleep", "1"], user: "postgress" }, web: { command: ["sleep", "1"], group: "ssl-crt" } } });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const check = Bun.spawnSync([BINARY, "check"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const out = check.stdout.toString() + check.stderr.toString();
    expect(check.exitCode).toBe(2);
    expect(out).toContain('services.db.user: no such user "postgress" (did you mean "postgres"?)');
    expect(out).toContain('services.web.group: no such group "ssl-crt" (did you mean "ssl-cert"?)');
    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify({ version: 1, discovery: { roots: [] }, services: { db: { command: ["sleep", "1"], user: "postgres" } } }));
    expect(Bun.spawnSync([BINARY, "check"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }).exitCode).toBe(0);
  });
});
