/**
 * SPEC §15 through the compiled binary: a service with 2 replicas behind the built-in proxy,
 * a client loop hammering the proxy port (one connection per request) while the group is
 * restarted over the API and while a reload changes its env: no failed request, every
 * instance on a new pid afterwards, the new env answering.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
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
});
