/**
 * SPEC §14 through the compiled binary: a dependent starts only after the service's own
 * ready signal (a log line, the real `systemd-notify --ready`, a newline on fd 3), never
 * before; STATUS= is shown by the API; a watchdog that stops being fed fails the service
 * with reason `watchdog`; `check` positions a bad regex. Fixture: test/fixtures/announce-ready.sh.
 */
import { rmSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixturePath, freePort } from "../helpers/processes";

const announce = ["/bin/sh", fixturePath("announce-ready.sh")];
const runs: BinaryRun[] = [];
const hasSystemdNotify = Bun.which("systemd-notify") !== null;

beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

function up(services: Record<string, Record<string, unknown>>): { run: BinaryRun; api: string } {
  const port = freePort();
  const manifest = { version: 1, name: "ready", api: { host: "127.0.0.1", port }, discovery: { roots: [] }, state: { dir: "state" }, services };
  const run = new BinaryRun(writeFleetDir(manifest), ["up"]);
  runs.push(run);
  return { run, api: `http://127.0.0.1:${port}` };
}

type Readiness = { source: string; ready: boolean; signal: string | null; status: string | null };
async function readinessOf(api: string, name: string): Promise<Readiness> {
  const response = await fetch(`${api}/orchestrator/services/${name}`);
  return ((await response.json()) as { readiness: Readiness }).readiness;
}

/** db announces itself; web (no probe) depends on it: web's spawn must come after db's ready, and db must have been starting until its signal. */
async function expectOrdered(run: BinaryRun, api: string, source: string) {
  await run.waitRecord((r) => r.event === "service" && r.service === "web" && r.to === "healthy", 20_000, "web healthy");
  const order = run.transitions().map((t) => `${t.service}:${t.to}`);
  expect(order.indexOf("db:healthy")).toBeGreaterThan(order.indexOf("db:starting"));
  expect(order.indexOf("web:starting")).toBeGreaterThan(order.indexOf("db:healthy"));
  // db printed "before ready" while web was not spawned yet: the line is in db's log before web started
  const logs = (await (await fetch(`${api}/orchestrator/services/db/logs?lines=50`)).json()) as { line: string }[];
  expect(logs.map((l) => l.line)).toContain("before ready");
  const readiness = await readinessOf(api, "db");
  expect([readiness.source, readiness.ready]).toEqual([source, true]);
  return readiness;
}

const web = { command: ["sleep", "3600"], dependsOn: ["db"], health: false };

describe("ready signals under the binary", () => {
  test("ready: { log }: the line printed after a delay, not the passing health check before it, releases the dependent", async () => {
    const port = freePort();
    const { run, api } = up({
      // health passes from the first probe (exit 0): without `ready` db would be ready at once
      db: { command: announce, env: { READY_VIA: "log", READY_DELAY_MS: 800 }, port, ready: { log: "ready to accept connections$" }, health: { exec: "true", interval: "1s" } },
      web,
    });
    const readiness = await expectOrdered(run, api, "log");
    expect(readiness.signal).toBe("log line matched: ready to accept connections");
  }, 30_000);

  test.skipIf(!hasSystemdNotify)("ready: { notify: systemd } with the real systemd-notify: READY=1 releases the dependent, STATUS= is shown", async () => {
    const { run, api } = up({ db: { command: announce, env: { READY_VIA: "systemd", READY_DELAY_MS: 800, READY_STATUS: "serving 3 clients" }, ready: { notify: "systemd" }, health: false }, web });
    const readiness = await expectOrdered(run, api, "systemd");
    expect([readiness.signal, readiness.status]).toEqual(["READY=1", "serving 3 clients"]);
  }, 30_000);

  test("ready: { notify: fd, fd: 3 }: the newline on fd 3 releases the dependent", async () => {
    const { run, api } = up({ db: { command: announce, env: { READY_VIA: "fd", READY_DELAY_MS: 800 }, ready: { notify: "fd", fd: 3 }, health: false }, web });
    const readiness = await expectOrdered(run, api, "fd");
    expect(readiness.signal).toBe("newline on fd 3");
  }, 30_000);

  test.skipIf(!hasSystemdNotify)("watchdog: a service that stops pinging fails with reason watchdog and is restarted by the ladder", async () => {
    const { run, api } = up({
      db: {
        command: announce,
        env: { READY_VIA: "systemd", READY_DELAY_MS: 0, WATCHDOG_PINGS: 4, PING_EVERY_MS: 200 },
        ready: { notify: "systemd" },
        watchdog: "1s",
        health: false,
        restart: { backoff: ["100ms"] },
      },
    });
    await run.waitRecord((r) => r.event === "healing" && r.service === "db" && r.action === "restarted", 20_000, "db restarted");
    const history = (await (await fetch(`${api}/orchestrator/healing-history?service=db`)).json()) as { action: string; reason: string }[];
    expect(history.find((h) => h.action === "detected")?.reason).toBe("watchdog: no WATCHDOG=1 within 1s");
    // it was healthy (READY=1) and fed the watchdog before it stopped: the failure came after readiness
    const order = run.transitions().filter((t) => t.service === "db").map((t) => t.to);
    expect(order.slice(0, 3)).toEqual(["starting", "healthy", "backoff"]);
  }, 30_000);
});

describe("check", () => {
  test("a bad regex and a watchdog without notify: systemd are positioned errors (exit 2)", async () => {
    const dir = writeFleetDir({ version: 1, discovery: { roots: [] }, services: { db: { command: ["sleep", "1"], ready: { log: "ready (" } }, web: { command: ["sleep", "1"], watchdog: "5s" } } });
    const proc = Bun.spawn([BINARY, "check"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text(), await proc.exited];
    rmSync(dir, { recursive: true, force: true });
    const text = out + err;
    expect(code).toBe(2);
    expect(text).toMatch(/orchestrator\.yaml:\d+:\d+ services\.db\.ready\.log: expected a regular expression, got "ready \(": .+/);
    expect(text).toMatch(/orchestrator\.yaml:\d+:\d+ services\.web\.watchdog: watchdog needs ready: \{ notify: systemd \}/);
  });
});


