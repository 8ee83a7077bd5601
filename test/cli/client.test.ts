/**
 * The client commands (status, restart/stop/start, logs) in process, against the real API
 * served over real HTTP + WebSocket, on a fake port whose canned data the test sets.
 */
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../src/cli/command";
import { createLogsCommand } from "../../src/cli/commands/logs";
import { alreadyPrinted } from "../../src/cli/client/follow-logs";
import { humanBytes, humanDuration, renderTable } from "../../src/cli/client/format";
import { resolveApi } from "../../src/cli/client/resolve-api";
import { runCli } from "../../src/cli/main";
import { freePort, waitFor } from "../helpers/processes";
import { serveFakeApi, type FakeApi, type FakeApiOptions } from "../helpers/fake-api";
import { summary } from "../helpers/fake-data";
import { FakePort } from "../helpers/fake-port";

const dir = mkdtempSync(join(tmpdir(), "orchestrator-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function capture(options: { color?: boolean; env?: Record<string, string>; cwd?: string } = {}): Captured {
  let out = "";
  let err = "";
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), color: options.color ?? false, cwd: options.cwd ?? dir, env: options.env ?? {} },
    out: () => out,
    err: () => err,
  };
}

async function run(argv: string[], options: Parameters<typeof capture>[0] = {}) {
  const c = capture(options);
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

let api: FakeApi;
let port: FakePort;
beforeEach(() => {
  const services = [
    summary("api", { restarts: 2, phase: 1, phaseName: "core" }),
    summary("cache", { state: "unhealthy", pid: 4400, port: 6379, uptimeMs: 7_300_000, memoryBytes: 900, cpuPercent: 0, health: { status: "unhealthy", latencyMs: null, endpoint: "/ping", checkedAt: 1, error: "503" } }),
    summary("db", { state: "starting", pid: 4300, port: 5432, uptimeMs: 3000, health: { status: "unknown", latencyMs: null, endpoint: null, checkedAt: null, error: null }, memoryBytes: null, cpuPercent: null }),
    summary("mailer", { state: "failed", pid: null, port: null, uptimeMs: 0, memoryBytes: null, cpuPercent: null, health: { status: "unhealthy", latencyMs: null, endpoint: "/health", checkedAt: 1, error: "refused" } }),
  ];
  port = new FakePort({ name: "tiny", phases: ["critical", "core"], services });
  api = serveFakeApi(port);
});
afterEach(() => api.stop());

/** Serve the same data again, now with `options` (a token). */
async function reserve(options: FakeApiOptions): Promise<void> {
  await api.stop();
  api = serveFakeApi(port, options);
}

describe("status", () => {
  test("prints a header and one aligned row per service", async () => {
    const r = await run(["status", "--api", api.url]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe("tiny degraded  1/4 healthy  up 3h  phase 1 core");
    expect(lines[2].split(/\s+/)).toEqual(["NAME", "STATE", "PHASE", "PID", "PORT", "RESTARTS", "UPTIME", "HEALTH", "MEM", "CPU"]);
    expect(lines[3].split(/\s{2,}/)).toEqual(["api", "healthy", "core", "4242", "4000", "2", "2m", "/health 3ms", "12.3 MiB", "1.5%"]);
    expect(lines[4].split(/\s{2,}/)).toEqual(["cache", "unhealthy", "critical", "4400", "6379", "0", "2h", "unhealthy /ping", "900 B", "0.0%"]);
    expect(lines[5].split(/\s{2,}/)).toEqual(["db", "starting", "critical", "4300", "5432", "0", "3s", "-", "-", "-"]);
    // the last probe result of a service that no longer runs is stale: not shown
    expect(lines[6].split(/\s{2,}/)).toEqual(["mailer", "failed", "critical", "-", "-", "0", "-", "-", "-", "-"]);
    // columns line up: STATE starts at the same offset on every row
    const at = lines[2].indexOf("STATE");
    for (const row of lines.slice(3)) expect(row.slice(at).startsWith(row.split(/\s{2,}/)[1])).toBe(true);
  });

  test("ps is an alias", async () => {
    const r = await run(["ps", "--api", api.url]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("mailer");
  });

  test("--json prints the API's array unchanged", async () => {
    const r = await run(["status", "--json", "--api", api.url]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(port.data.services);
    expect(api.requests).toEqual(["GET /orchestrator/services"]);
  });

  test("colours states only when io.color is set", async () => {
    const plain = await run(["status", "--api", api.url], { color: false });
    expect(plain.out).not.toContain("\x1b[");
    const coloured = await run(["status", "--api", api.url], { color: true });
    expect(coloured.out).toContain("\x1b[32mhealthy\x1b[0m");
    expect(coloured.out).toContain("\x1b[31mfailed\x1b[0m");
    expect(coloured.out).toContain("\x1b[33mstarting\x1b[0m");
    // an unhealthy probe is painted like the unhealthy and degraded states: amber, as on the dashboard
    expect(coloured.out).toContain("\x1b[33munhealthy /ping\x1b[0m");
    // padding stays outside the colour, so columns still line up
    const strip = (s: string) => s.replace(/\x1b\[\d+m/g, "");
    expect(strip(coloured.out)).toBe(plain.out);
  });

  test("sends ORCHESTRATOR_TOKEN as a bearer token", async () => {
    await reserve({ token: "s3cret" });
    const r = await run(["status", "--api", api.url], { env: { ORCHESTRATOR_TOKEN: "s3cret" } });
    expect(r.code).toBe(0);
    expect(api.auth).toEqual(["Bearer s3cret"]);
  });

  test("one request: the snapshot, cut to the table's columns", async () => {
    const r = await run(["status", "--api", api.url]);
    expect(r.code).toBe(0);
    expect(api.requests).toEqual(["GET /orchestrator/snapshot?fields=state,phase,phaseName,pid,port,restarts,uptimeMs,health,memoryBytes,cpuPercent"]);
  });

  test("an orchestrator without GET /snapshot (older): the same table from /status and /services", async () => {
    const current = await run(["status", "--api", api.url]);
    // an older API: every route as it was, /snapshot unknown (its 404 is the API's own)
    const older = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => {
        const url = new URL(request.url);
        if (url.pathname === "/orchestrator/snapshot") return Response.json({ error: "NOT_FOUND", message: "no route GET /orchestrator/snapshot" }, { status: 404 });
        return api.request(url.pathname + url.search, { headers: request.headers });
      },
    });
    try {
      const r = await run(["status", "--api", `http://127.0.0.1:${older.port}`]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toBe(current.out);
    } finally {
      await older.stop(true);
    }
  });

  test("a 401 says to set ORCHESTRATOR_TOKEN and exits 2", async () => {
    await reserve({ token: "s3cret" });
    const r = await run(["status", "--api", api.url]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("orchestrator: the API needs a token: set ORCHESTRATOR_TOKEN\n");
    const wrong = await run(["status", "--api", api.url], { env: { ORCHESTRATOR_TOKEN: "nope" } });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("the API refused ORCHESTRATOR_TOKEN");
  });

  test("nothing listening: one line, exit 1, no stack trace", async () => {
    const port = freePort();
    const r = await run(["status", "--api", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`orchestrator: no orchestrator is running at http://127.0.0.1:${port} (start one with: orchestrator up)\n`);
  });

  test("a bad --api URL is a usage error", async () => {
    const r = await run(["status", "--api", "ftp://x"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--api: expected an http:// or https:// URL, got "ftp://x"');
  });
});

describe("finding the API", () => {
  const manifestDir = mkdtempSync(join(dir, "m-"));
  const write = (text: string) => writeFileSync(join(manifestDir, "orchestrator.yaml"), text);
  const resolveIn = (flags: Record<string, string | boolean>, env: Record<string, string> = {}) => resolveApi({ flags, env, cwd: manifestDir });

  test("--api wins over ORCHESTRATOR_API, which wins over the manifest, which wins over the default", async () => {
    write("version: 1\napi: { host: 127.0.0.2, port: 9100 }\nservices: {}\n");
    expect(await resolveIn({ api: "http://127.0.0.3:1/" }, { ORCHESTRATOR_API: "http://127.0.0.4:2" })).toMatchObject({ url: "http://127.0.0.3:1", source: "flag" });
    expect(await resolveIn({}, { ORCHESTRATOR_API: "127.0.0.4:2" })).toMatchObject({ url: "http://127.0.0.4:2", source: "env" });
    expect(await resolveIn({})).toMatchObject({ url: "http://127.0.0.2:9100", source: "manifest" });
    expect(await resolveApi({ flags: {}, env: {}, cwd: join(manifestDir, "nowhere") })).toMatchObject({ url: "http://127.0.0.1:9000", source: "default" });
  });

  test("the manifest's wildcard host means loopback, and ${VAR} is interpolated", async () => {
    write("version: 1\napi: { host: 0.0.0.0, port: \"${API_PORT:-9200}\" }\n");
    expect((await resolveIn({})).url).toBe("http://127.0.0.1:9200");
    expect((await resolveIn({}, { API_PORT: "9300" })).url).toBe("http://127.0.0.1:9300");
    write("version: 1\napi: { host: '::' }\n");
    expect((await resolveIn({})).url).toBe("http://[::1]:9000");
  });

  test("-c names the manifest; a missing one is a usage error", async () => {
    writeFileSync(join(manifestDir, "other.yaml"), `version: 1\napi: { port: ${api.apiPort} }\n`);
    const r = await run(["status", "-c", "other.yaml"], { cwd: manifestDir });
    expect(r.code).toBe(0);
    expect(r.out).toContain("1/4 healthy");
    const missing = await run(["status", "-c", "nope.yaml"], { cwd: manifestDir });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("nope.yaml to find the API: no such file");
  });

  test("a bad api.port in the manifest is reported, not guessed", async () => {
    write("version: 1\napi: { port: eighty }\n");
    await expect(resolveIn({})).rejects.toThrow('api.port: expected an integer from 1 to 65535, got "eighty"');
  });

  test("the token comes from ORCHESTRATOR_TOKEN, else a literal api.token in the manifest", async () => {
    write("version: 1\napi: { port: 9100, token: from-file }\n");
    expect((await resolveIn({})).token).toBe("from-file");
    expect((await resolveIn({}, { ORCHESTRATOR_TOKEN: "from-env" })).token).toBe("from-env");
    expect((await resolveIn({ api: "http://127.0.0.1:1" })).token).toBeUndefined();
  });
});

describe("restart, stop, start", () => {
  test("restart prints what the API accepted", async () => {
    const r = await run(["restart", "api", "--api", api.url]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe("restart api: accepted (was healthy)\n");
    expect(api.requests).toEqual(["POST /orchestrator/restart/api"]);
  });

  test("stop then start", async () => {
    expect((await run(["stop", "db", "--api", api.url])).out).toBe("stop db: accepted (was starting)\n");
    expect((await run(["start", "db", "--api", api.url])).out).toBe("start db: accepted (was stopped)\n");
  });

  test("--wait polls until the restart shows (new pid, healthy)", async () => {
    const r = await run(["restart", "--wait", "api", "--api", api.url]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("restart api: accepted (was healthy)\nrestart api: done (healthy, pid 4243)\n");
  });

  test("an unknown service exits 2 and suggests the nearest name", async () => {
    const r = await run(["restart", "apu", "--api", api.url]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('orchestrator: unknown service "apu" (did you mean "api"?)\n');
    const far = await run(["stop", "zzzzzz", "--api", api.url]);
    expect(far.err).toBe('orchestrator: unknown service "zzzzzz"; services: api, cache, db, mailer\n');
  });

  test("a 409 prints the API's message and exits 1", async () => {
    const r = await run(["start", "api", "--api", api.url]);
    expect(r.code).toBe(1);
    expect(r.err).toStartWith('orchestrator: cannot apply "manual-start" to a service that is healthy (allowed from healthy: ');
  });

  test("a missing name is a usage error", async () => {
    const r = await run(["restart", "--api", api.url]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("restart: which service?");
  });
});

describe("logs", () => {
  const at = (h: number, m: number, s: number, ms: number) => new Date(2025, 0, 1, h, m, s, ms).getTime();

  test("prints the last N lines as HH:MM:SS.mmm [stream] line", async () => {
    port.data.logs.set("api", [
      { ts: at(9, 0, 1, 5), stream: "stdout", line: "one" },
      { ts: at(9, 0, 2, 50), stream: "stderr", line: "two" },
      { ts: at(13, 4, 5, 600), stream: "stdout", line: "three" },
    ]);
    const r = await run(["logs", "api", "-n", "2", "--api", api.url]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("09:00:02.050 [stderr] two\n13:04:05.600 [stdout] three\n");
    expect(api.requests).toEqual(["GET /orchestrator/services/api/logs?lines=2"]);
  });

  test("stderr lines are red on a TTY only", async () => {
    port.data.logs.set("api", [{ ts: at(9, 0, 1, 5), stream: "stderr", line: "boom" }]);
    expect((await run(["logs", "api", "--api", api.url], { color: true })).out).toContain("\x1b[31m[stderr] boom\x1b[0m");
    expect((await run(["logs", "api", "--api", api.url])).out).toBe("09:00:01.005 [stderr] boom\n");
  });

  test("an unknown service exits 2 with a suggestion; a bad -n is a usage error", async () => {
    const r = await run(["logs", "dbb", "--api", api.url]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('orchestrator: unknown service "dbb" (did you mean "db"?)\n');
    const bad = await run(["logs", "db", "-n", "lots", "--api", api.url]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('-n/--lines: expected a whole number from 0 to 1000, got "lots"');
  });

  /** Run `logs -f` with a stop signal the test controls. */
  function follow(argv: string[], options: Parameters<typeof capture>[0] = {}) {
    const controller = new AbortController();
    const command = createLogsCommand({ untilStopped: () => ({ signal: controller.signal, dispose: () => {} }) });
    const c = capture(options);
    const done = command.run({ positionals: argv, flags: { follow: true, api: api.url } }, c.io);
    return { ...c, done, stop: () => controller.abort() };
  }

  test("-f prints the tail, then live log events from the stream, and exits 0 when stopped", async () => {
    await reserve({ token: "tok" });
    port.data.logs.set("api", [{ ts: at(9, 0, 0, 0), stream: "stdout", line: "before" }]);
    const f = follow(["api"], { env: { ORCHESTRATOR_TOKEN: "tok" } });
    await waitFor(() => port.subscriberCount === 1 && f.out().includes("before"), 5000, "the stream to open and the tail to print");
    port.sendLog("db", "stdout", "not ours");
    port.sendLog("api", "stdout", "live one", at(10, 0, 0, 1));
    port.sendLog("api", "stderr", "live two", at(10, 0, 0, 2));
    await waitFor(() => f.out().includes("live two"), 5000, "live lines");
    f.stop();
    expect(await f.done).toBe(0);
    expect(f.out()).toBe("09:00:00.000 [stdout] before\n10:00:00.001 [stdout] live one\n10:00:00.002 [stderr] live two\n");
    expect(api.requests.some((r) => r.startsWith("GET /orchestrator/stream?logs=api&token=tok"))).toBe(true);
    await waitFor(() => port.subscriberCount === 0, 5000, "the stream to close");
  });

  test("-f reconnects after the stream drops, fills the gap and prints no line twice", async () => {
    port.data.logs.set("api", [{ ts: at(9, 0, 0, 0), stream: "stdout", line: "a" }]);
    const f = follow(["api"]);
    await waitFor(() => port.subscriberCount === 1 && f.out().includes("] a"), 5000, "the first stream");
    port.sendLog("api", "stdout", "b", at(9, 0, 0, 1));
    await waitFor(() => f.out().includes("] b"), 5000, "line b");
    // the connection drops (the API restarts on the same address); meanwhile the service prints c (kept only in the ring buffer)
    await api.restart();
    port.data.logs.set("api", [
      { ts: at(9, 0, 0, 0), stream: "stdout", line: "a" },
      { ts: at(9, 0, 0, 1), stream: "stdout", line: "b" },
      { ts: at(9, 0, 0, 2), stream: "stdout", line: "c" },
    ]);
    await waitFor(() => port.subscriberCount === 1 && f.out().includes("] c"), 10_000, "the reconnect");
    port.sendLog("api", "stdout", "d", at(9, 0, 0, 3));
    await waitFor(() => f.out().includes("] d"), 5000, "line d");
    f.stop();
    expect(await f.done).toBe(0);
    expect(f.out().split("\n").filter(Boolean).map((l) => l.split(" ").pop())).toEqual(["a", "b", "c", "d"]);
    expect(f.err()).toContain("log stream closed");
    expect(f.err()).toContain("reconnected");
  });

  test("-f when the stream refuses the token exits 2 instead of retrying", async () => {
    await reserve({ token: "tok" });
    const c = capture();
    expect(await runCli(["logs", "-f", "api", "--api", api.url], c.io)).toBe(2);
    expect(c.err()).toBe("orchestrator: the API needs a token: set ORCHESTRATOR_TOKEN\n");
  });

  test("-f with nothing listening prints one line and exits 1", async () => {
    const port = freePort();
    const c = capture();
    expect(await runCli(["logs", "-f", "api", "--api", `http://127.0.0.1:${port}`], c.io)).toBe(1);
    expect(c.err()).toBe(`orchestrator: no orchestrator is running at http://127.0.0.1:${port} (start one with: orchestrator up)\n`);
  });

  test("-f on an unknown service fails at once with the suggestion", async () => {
    const c = capture();
    const code = await runCli(["logs", "-f", "mailr", "--api", api.url], c.io);
    expect(code).toBe(2);
    expect(c.err()).toBe('orchestrator: unknown service "mailr" (did you mean "mailer"?)\n');
  });
});

describe("helpers", () => {
  test("human durations and sizes", () => {
    expect([999, 3000, 240_000, 7_200_000, 3 * 86_400_000].map(humanDuration)).toEqual(["0s", "3s", "4m", "2h", "3d"]);
    expect([512, 2048, 12.3 * 1024 * 1024, 1.5 * 1024 ** 3].map(humanBytes)).toEqual(["512 B", "2.0 KiB", "12.3 MiB", "1.5 GiB"]);
  });

  test("renderTable pads each column to its widest cell, two spaces apart, paints the text only and leaves no trailing space", () => {
    const paint = (s: string) => `<${s}>`;
    const rows = [
      [{ text: "NAME" }, { text: "STATE" }, { text: "PID" }],
      [{ text: "a" }, { text: "ok", paint }, { text: "" }], // an empty last cell: no padding owed to nothing
      [{ text: "" }, { text: "" }, { text: "12345" }], // empty cells before a full one keep their width
      [{ text: "longer" }, { text: "", paint }, { text: "7" }],
    ];
    expect(renderTable(rows)).toEqual(["NAME    STATE  PID", "a       <ok>", "               12345", "longer         7"]);
    expect(renderTable([])).toEqual([]);
  });

  test("alreadyPrinted finds the overlap between printed lines and a fetched tail", () => {
    expect(alreadyPrinted([], ["a", "b"])).toBe(0);
    expect(alreadyPrinted(["x", "a", "b"], ["a", "b", "c"])).toBe(2);
    expect(alreadyPrinted(["a", "b", "c"], ["a", "b", "c"])).toBe(3);
    expect(alreadyPrinted(["b", "c"], ["a", "b", "c", "d"])).toBe(3);
    expect(alreadyPrinted(["x"], ["a", "b"])).toBe(0);
  });
});
