/**
 * The client commands against the REAL compiled binary: `orchestrator up` runs a tmp fleet
 * of fixture services, then `status`, `restart`, `stop`/`start` and `logs` talk to its API.
 * Until the API is wired into `up`, the first test fails saying so and the rest are skipped.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceSummary } from "../../src/contract/service-view";
import { BINARY, ensureBinary } from "../helpers/binary-run";
import { fixturePath, freePort, isGone, killPids, waitGone } from "../helpers/processes";

const API_WAIT_MS = 20_000;
const SETTLE_MS = 20_000;

ensureBinary();

const dir = mkdtempSync(join(tmpdir(), "orch-client-e2e-"));
const apiPort = freePort();
const API = `http://127.0.0.1:${apiPort}`;
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? dir };
const service = (port: number) => ({ command: [process.execPath, fixturePath("healthy.ts")], port, health: { http: "/health", interval: "500ms" } });
writeFileSync(
  join(dir, "orchestrator.yaml"),
  JSON.stringify({ version: 1, name: "client-e2e", api: { host: "127.0.0.1", port: apiPort }, services: { web: service(freePort()), worker: service(freePort()) } }, null, 2),
);

const upLog = join(dir, "up.log");
const upErr = join(dir, "up.err");
const up = Bun.spawn([BINARY, "up", "--log-format", "json"], { cwd: dir, stdin: "ignore", stdout: Bun.file(upLog), stderr: Bun.file(upErr), env: ENV });
const servicePids = new Set<number>();

/** Wait (bounded) for GET /orchestrator/status to answer and every service to be healthy. */
async function waitForFleet(): Promise<string | null> {
  const deadline = Date.now() + API_WAIT_MS;
  let answered = false;
  while (Date.now() < deadline && up.exitCode === null) {
    try {
      const res = await fetch(`${API}/orchestrator/status`, { signal: AbortSignal.timeout(1000) });
      answered = res.ok;
      if (res.ok && (await res.json()).healthy === 2) return null;
    } catch {
      // not listening yet
    }
    await Bun.sleep(100);
  }
  const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-8).join("\n") : "");
  const tail = [read(upLog), read(upErr)].filter(Boolean).join("\n");
  if (up.exitCode !== null) return `orchestrator up exited ${up.exitCode} before its API answered:\n${tail}`;
  if (!answered) return `GET ${API}/orchestrator/status never answered within ${API_WAIT_MS / 1000} s: the HTTP API is not wired into \`orchestrator up\` yet (src/cli/commands/up.ts)\n${tail}`;
  return `the API answered but the fixture fleet never became 2/2 healthy within ${API_WAIT_MS / 1000} s:\n${tail}`;
}
const problem = await waitForFleet();

afterAll(async () => {
  if (up.exitCode === null) up.kill("SIGTERM");
  await Promise.race([up.exited, Bun.sleep(10_000)]);
  if (!isGone(up.pid)) killPids([up.pid]);
  killPids([...servicePids]);
  await waitGone([up.pid, ...servicePids], 5000);
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], cwd = dir) {
  const p = Bun.spawnSync([BINARY, ...args], { cwd, stdout: "pipe", stderr: "pipe", env: ENV });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

function services(): ServiceSummary[] {
  const r = cli(["status", "--json"]);
  if (r.code !== 0) throw new Error(`status --json exited ${r.code}: ${r.err}`);
  const list = JSON.parse(r.out) as ServiceSummary[];
  for (const s of list) if (s.pid) servicePids.add(s.pid);
  return list;
}

async function waitService(name: string, what: string, ok: (s: ServiceSummary) => boolean): Promise<ServiceSummary> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const s = services().find((x) => x.name === name)!;
    if (ok(s)) return s;
    if (Date.now() >= deadline) throw new Error(`expected ${name} to be ${what} within ${SETTLE_MS / 1000} s; it is ${s.state} (pid ${s.pid})`);
    await Bun.sleep(100);
  }
}

test("orchestrator up serves the API (GET /orchestrator/status)", () => {
  if (problem) throw new Error(problem);
});

describe.skipIf(problem !== null)("client commands against a running orchestrator", () => {
  test("status prints the header and a healthy row per service (reading the API from ./orchestrator.yaml)", () => {
    const r = cli(["status"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^client-e2e \w+ {2}2\/2 healthy {2}up \d+[smhd]/);
    expect(r.out).toMatch(/^NAME +STATE +PHASE +PID +PORT +RESTARTS +UPTIME +HEALTH +MEM +CPU$/m);
    expect(r.out).toMatch(/^web +healthy +\S+ +\d+ +\d+ +0 /m);
    expect(r.out).toMatch(/^worker +healthy /m);
    expect(r.out).not.toContain("\x1b["); // not a TTY
  });

  test("status --json is the API's array of summaries", () => {
    const list = services();
    expect(list.map((s) => s.name).sort()).toEqual(["web", "worker"]);
    for (const s of list) {
      expect(s.state).toBe("healthy");
      expect(typeof s.pid).toBe("number");
    }
  });

  test("--api and ORCHESTRATOR_API find the API from anywhere", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "orch-client-cwd-"));
    try {
      expect(cli(["ps", "--api", API], elsewhere).out).toContain("2/2 healthy");
      const p = Bun.spawnSync([BINARY, "status"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe", env: { ...ENV, ORCHESTRATOR_API: API } });
      expect(p.stdout.toString()).toContain("2/2 healthy");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test("restart NAME is accepted and the service comes back with a new pid", async () => {
    const before = services().find((s) => s.name === "web")!;
    const r = cli(["restart", "web"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe("restart web: accepted (was healthy)\n");
    const after = await waitService("web", "healthy with a new pid", (s) => s.state === "healthy" && s.pid !== null && s.pid !== before.pid);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(isGone(before.pid!)).toBe(true);
  });

  test("stop NAME stops it and start NAME brings it back", async () => {
    const stop = cli(["stop", "worker"]);
    expect(stop.code).toBe(0);
    expect(stop.out).toBe("stop worker: accepted (was healthy)\n");
    await waitService("worker", "stopped", (s) => s.state === "stopped" && s.pid === null);
    const start = cli(["start", "worker"]);
    expect(start.code).toBe(0);
    expect(start.out).toBe("start worker: accepted (was stopped)\n");
    await waitService("worker", "healthy again", (s) => s.state === "healthy");
  });

  test("an unknown service exits 2 with a suggestion", () => {
    const r = cli(["restart", "wbe"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('orchestrator: unknown service "wbe" (did you mean "web"?)\n');
  });

  test("logs NAME -n 5 prints at most 5 timestamped lines of the service's output", () => {
    const r = cli(["logs", "web", "-n", "5"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(r.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[stdout\] healthy: pid \d+ listening on 127\.0\.0\.1:\d+$/m);
  });

  test("logs -f prints the tail, follows, and exits 0 on SIGINT", async () => {
    const p = Bun.spawn([BINARY, "logs", "web", "-f", "-n", "1"], { cwd: dir, stdout: "pipe", stderr: "pipe", env: ENV });
    try {
      const reader = p.stdout.getReader();
      const first = await Promise.race([reader.read(), Bun.sleep(10_000).then(() => null)]);
      expect(first?.value && new TextDecoder().decode(first.value)).toMatch(/\[stdout\] healthy: pid \d+ listening/);
      reader.releaseLock();
      p.kill("SIGINT");
      expect(await Promise.race([p.exited, Bun.sleep(10_000).then(() => "still running")])).toBe(0);
    } finally {
      if (p.exitCode === null) killPids([p.pid]);
    }
  });
});

test("status with no orchestrator running prints one line and exits 1", () => {
  const empty = mkdtempSync(join(tmpdir(), "orch-client-none-"));
  try {
    const port = freePort();
    writeFileSync(join(empty, "orchestrator.yaml"), `version: 1\napi: { port: ${port} }\nservices: {}\n`);
    const r = cli(["status"], empty);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`orchestrator: no orchestrator is running at http://127.0.0.1:${port} (start one with: orchestrator up)\n`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
