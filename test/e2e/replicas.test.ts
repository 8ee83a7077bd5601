/**
 * SPEC §15 through the compiled binary: a service with 2 replicas behind the built-in proxy,
 * a client loop hammering the proxy port (one connection per request) while the group is
 * restarted over the API and while a reload changes its env: no failed request, every
 * instance on a new pid afterwards, the new env answering.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";
import { freeRange, get, hammer } from "../helpers/proxy-client";

interface Summary {
  name: string;
  state: string;
  pid: number | null;
  port: number | null;
}

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

function up(greeting = "hello") {
  const base = freeRange(12);
  const apiPort = freePort();
  const dir = writeFleetDir({
    version: 1,
    name: "replicas",
    api: { host: "127.0.0.1", port: apiPort },
    discovery: { roots: [] },
    state: { dir: "state" },
    services: {
      web: { command: fixtureCommand("replica-echo.ts"), port: base, replicas: 2, proxy: { port: base + 10 }, env: { GREETING: greeting }, health: { http: "/health", interval: "200ms" }, startupTimeout: "5s" },
    },
  });
  const run = new BinaryRun(dir, ["up"]);
  runs.push(run);
  const api = `http://127.0.0.1:${apiPort}`;
  const instances = async () => ((await (await fetch(`${api}/orchestrator/services`)).json()) as Summary[]).filter((s) => s.name.startsWith("web@"));
  return { run, dir, api, proxyPort: base + 10, base, instances };
}

const allHealthy = async (instances: () => Promise<Summary[]>, not: (number | null)[] = []) => {
  const now = await instances();
  return now.length === 2 && now.every((s) => s.state === "healthy" && s.pid !== null && !not.includes(s.pid));
};

describe("replicas behind the proxy (compiled binary)", () => {
  test("web@1 and web@2 on port and port + 1, PORT and ORCHESTRATOR_REPLICA each, the proxy answering from both", async () => {
    const { run, proxyPort, base, instances } = up();
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    expect((await instances()).map((s) => [s.name, s.port])).toEqual([
      ["web@1", base],
      ["web@2", base + 1],
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await get(proxyPort)).split(" ").slice(0, 2).join(" "));
    expect([...seen].sort()).toEqual([`1 ${base}`, `2 ${base + 1}`]);
  }, 60_000);

  test("a restart of the group over the API while a client hammers the proxy: no failed request, new pids", async () => {
    const { run, api, proxyPort, instances } = up();
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    const before = (await instances()).map((s) => s.pid);
    const load = hammer(proxyPort);
    await Bun.sleep(200);
    expect((await fetch(`${api}/orchestrator/restart/web`, { method: "POST" })).status).toBe(202);
    await waitFor(() => allHealthy(instances, before), 30_000, "both instances replaced and healthy");
    const result = await load.stop(300);
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThanOrEqual(300);
  }, 60_000);

  test("a reload that changes the env while a client hammers the proxy: no failed request, and the new env answers", async () => {
    const { run, dir, api, proxyPort, instances } = up("hello");
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    const before = (await instances()).map((s) => s.pid);
    const manifest = join(dir, "orchestrator.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('"GREETING": "hello"', '"GREETING": "bonjour"'));
    const load = hammer(proxyPort);
    await Bun.sleep(200);
    const reload = await fetch(`${api}/orchestrator/reload?wait=true`, { method: "POST" });
    expect(reload.status).toBe(200);
    expect(((await reload.json()) as { ready?: string[] }).ready?.sort()).toEqual(["web@1", "web@2"]);
    await waitFor(() => allHealthy(instances, before), 30_000, "both instances replaced and healthy");
    const result = await load.stop(300);
    expect(result.failed).toEqual([]);
    expect(await get(proxyPort)).toContain(" bonjour ");
  }, 60_000);

  test("`orchestrator restart web --wait` (the group name) waits for every instance: done for web@1 and web@2, exit 0", async () => {
    const { run, api, instances } = up();
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    const before = (await instances()).map((s) => s.pid);
    const cli = Bun.spawn([BINARY, "restart", "web", "--wait", "--timeout", "30s", "--api", api], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const [code, out, err] = await Promise.all([cli.exited, new Response(cli.stdout).text(), new Response(cli.stderr).text()]);
    expect({ code, err, out }).toMatchObject({ code: 0, err: "" });
    expect(out).toStartWith("restart web: accepted");
    expect(out).toMatch(/restart web@1: done \(healthy, pid \d+\)/);
    expect(out).toMatch(/restart web@2: done \(healthy, pid \d+\)/);
    expect((await instances()).every((s) => !before.includes(s.pid))).toBe(true);
  }, 60_000);

  test("an instance is a service of its own in the API: details, logs and a restart of web@2 alone", async () => {
    const { run, api, instances } = up();
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    const detail = await fetch(`${api}/orchestrator/services/web@2`);
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { name: string; config: { env: Record<string, string> } }).config.env).toMatchObject({ ORCHESTRATOR_REPLICA: "2" });
    await waitFor(async () => ((await (await fetch(`${api}/orchestrator/services/web@2/logs`)).json()) as { line: string }[]).some((l) => l.line.startsWith("replica-echo:")), 10_000, "web@2's own log line");
    const [one, two] = await instances();
    expect((await fetch(`${api}/orchestrator/restart/web@2`, { method: "POST" })).status).toBe(202);
    await waitFor(async () => {
      const [a, b] = await instances();
      return a!.pid === one!.pid && b!.state === "healthy" && b!.pid !== two!.pid;
    }, 30_000, "web@2 alone restarted");
    expect((await fetch(`${api}/orchestrator/services/web@0`)).status).toBe(400);
  }, 60_000);

  test("a reload that changes replicas adds and removes instances from the highest index; the others keep their pids", async () => {
    const { run, dir, api, instances } = up();
    await run.waitRecord((r) => r.event === "status" && r.state === "ready", 30_000, "ready");
    const [one, two] = await instances();
    const manifest = join(dir, "orchestrator.yaml");
    const reloadWith = async (replicas: number) => {
      writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/"replicas": \d+/, `"replicas": ${replicas}`));
      expect((await fetch(`${api}/orchestrator/reload?wait=true`, { method: "POST" })).status).toBe(200);
    };
    await reloadWith(3);
    await waitFor(async () => (await instances()).filter((s) => s.state === "healthy").length === 3, 30_000, "web@3 added and healthy");
    expect((await instances()).map((s) => [s.name, s.pid])).toEqual([
      ["web@1", one!.pid],
      ["web@2", two!.pid],
      ["web@3", expect.any(Number)],
    ]);
    await reloadWith(1);
    await waitFor(async () => (await instances()).length === 1, 30_000, "web@2 and web@3 removed");
    expect((await instances()).map((s) => [s.name, s.pid, s.state])).toEqual([["web@1", one!.pid, "healthy"]]);
  }, 90_000);

  test("check warns, positioned, about an update that needs a proxy, and exits 0", () => {
    const dir = writeFleetDir({
      version: 1,
      name: "update",
      api: { host: "127.0.0.1", port: freePort() },
      discovery: { roots: [] },
      services: { web: { command: fixtureCommand("replica-echo.ts"), port: freeRange(3), replicas: 2, update: { maxSurge: 1 } } },
    });
    const proc = Bun.spawnSync([BINARY, "check"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    expect(proc.exitCode).toBe(0);
    expect(proc.stderr.toString()).toMatch(/^orchestrator\.yaml:\d+:\d+ services\.web\.update\.maxSurge: warning: maxSurge: 1 needs a `proxy`/m);
  });
});
