/**
 * Issue 12, item 8: bounded input. A manifest over 8 MiB (and a package.json over 1 MiB) is
 * refused before it is read whole; probe intervals under 100 ms are positioned errors; a
 * 30,000-service manifest loads (linearly: the timing itself is in bench/manifest-scale.ts);
 * and a reload of a large manifest parses off the event loop, so the API answers and probes
 * run while it does. Run against the compiled binary where the item is about the binary.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateManifest, serviceName } from "../../bench/manifest-scale";
import { buildLaunchPlan } from "../../src/graph";
import { loadConfigSync } from "../../src/manifest/load";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort } from "../helpers/processes";

const MiB = 1024 * 1024;
const runs: BinaryRun[] = [];
const dirs: string[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tmpDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-bounded-"));
  dirs.push(dir);
  return dir;
}

/** A valid manifest padded with comment lines to `bytes` (YAML would accept every byte of it). */
function paddedManifest(head: string, bytes: number): string {
  const line = `# ${"x".repeat(97)}\n`;
  return head + line.repeat(Math.ceil((bytes - head.length) / line.length));
}

async function check(dir: string, file = "orchestrator.yaml"): Promise<{ code: number; err: string }> {
  const proc = Bun.spawn([BINARY, "check", "-c", file], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { code, err };
}

const TOO_BIG = /^orchestrator\.yaml:1:1 \(file\): manifest too large: expected at most 8 MiB \(8388608 bytes\), got 9 MiB \(9437\d{3} bytes\)$/m;

describe("a manifest over 8 MiB is refused", () => {
  test("`check` exits 2 with the size and the limit, positioned at 1:1", async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, "orchestrator.yaml"), paddedManifest("version: 1\ndiscovery: { roots: [] }\n", 9 * MiB));
    const { code, err } = await check(dir);
    expect(err).toMatch(TOO_BIG);
    expect(code).toBe(2);
  });

  test("`up` exits 2 the same way and starts nothing", async () => {
    const dir = tmpDir();
    writeFileSync(join(dir, "orchestrator.yaml"), paddedManifest(`version: 1\napi: { port: ${freePort()} }\ndiscovery: { roots: [] }\nstate: { dir: state }\n`, 9 * MiB));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    const code = await Promise.race([run.exited, Bun.sleep(20_000).then(() => "still running")]);
    expect(await run.stderrText).toMatch(TOO_BIG);
    expect(code).toBe(2);
  }, 30_000);

  test("POST /orchestrator/reload answers 422 with the problem and leaves the fleet as it is", async () => {
    const port = freePort();
    const head = `version: 1\nname: bounded\napi: { host: 127.0.0.1, port: ${port} }\ndiscovery: { roots: [] }\nstate: { dir: state }\n`;
    const service = `services:\n  keep: { command: ${JSON.stringify(fixtureCommand("healthy.ts"))}, port: ${freePort()}, health: { http: /health, interval: 200ms } }\n`;
    const dir = tmpDir();
    writeFileSync(join(dir, "orchestrator.yaml"), head + service);
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");

    writeFileSync(join(dir, "orchestrator.yaml"), paddedManifest(head, 9 * MiB)); // drops `keep` if it were read
    const res = await fetch(`http://127.0.0.1:${port}/orchestrator/reload`, { method: "POST" });
    const body = (await res.json()) as { issues?: { line: number; col: number; message: string }[] };
    expect(res.status).toBe(422);
    expect(body.issues?.[0]).toMatchObject({ line: 1, col: 1, message: expect.stringContaining("manifest too large: expected at most 8 MiB") });
    const services = (await (await fetch(`http://127.0.0.1:${port}/orchestrator/services`)).json()) as { name: string; state: string }[];
    expect(services.map((s) => [s.name, s.state])).toEqual([["keep", "healthy"]]);
  }, 30_000);

  test("a discovered package.json over 1 MiB is refused at 1:1 with its size; a small one beside it is not", () => {
    const dir = tmpDir();
    const pkg = (name: string, pad = 0) => JSON.stringify({ name, scripts: { start: "exec sleep 1" }, description: "x".repeat(pad) });
    mkdirSync(join(dir, "services/big"), { recursive: true });
    mkdirSync(join(dir, "services/small"), { recursive: true });
    const big = pkg("big", 2 * MiB);
    writeFileSync(join(dir, "services/big/package.json"), big);
    writeFileSync(join(dir, "services/small/package.json"), pkg("small"));
    writeFileSync(join(dir, "orchestrator.yaml"), "version: 1\n");
    const { issues } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: { PATH: "/usr/bin:/bin" } });
    expect(issues.map((i) => [i.file.slice(dir.length + 1), i.line, i.col, i.message])).toEqual([
      ["services/big/package.json", 1, 1, `package.json too large: expected at most 1 MiB (1048576 bytes), got 2 MiB (${big.length} bytes)`],
    ]);
  });
});

describe("probe intervals under 100 ms are positioned `check` errors", () => {
  test("in defaults, in a service and in a package.json `orchestrator` field", async () => {
    const dir = tmpDir();
    mkdirSync(join(dir, "services/worker"), { recursive: true });
    writeFileSync(
      join(dir, "services/worker/package.json"),
      JSON.stringify({ name: "worker", scripts: { start: "exec sleep 1" }, orchestrator: { health: { exec: "true", interval: 10 } } }, null, 2),
    );
    writeFileSync(
      join(dir, "orchestrator.yaml"),
      [
        "version: 1",
        "defaults:",
        "  health: { interval: 10ms }",
        "services:",
        "  api:",
        "    command: [sleep, '1']",
        "    health: { http: /health, interval: 0.05s }",
        "  ok:",
        "    command: [sleep, '1']",
        "    health: { exec: 'true', interval: 100ms, timeout: 1ms }",
        "",
      ].join("\n"),
    );
    const { code, err } = await check(dir);
    expect(err.split("\n").filter((l) => l.includes(": expected at least"))).toEqual([
      "orchestrator.yaml:3:23 defaults.health.interval: expected at least 100ms, got 10ms",
      "orchestrator.yaml:7:40 services.api.health.interval: expected at least 100ms, got 50ms",
      "services/worker/package.json:9:19 orchestrator.health.interval: expected at least 100ms, got 10ms",
    ]);
    expect(code).toBe(2);
  });
});

describe("a 30,000-service manifest", () => {
  test("loads whole and correct: every service, its dependency, phase, port and env, and a launch plan", () => {
    const n = 30_000;
    const dir = tmpDir();
    writeFileSync(join(dir, "orchestrator.yaml"), generateManifest(n));
    const { config, issues } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: { PATH: process.env.PATH, REGION: "us-east-2" } });
    expect(issues).toEqual([]);
    expect(config!.services).toHaveLength(n);
    const byName = new Map(config!.services.map((s) => [s.name, s]));
    const s = byName.get(serviceName(29_987, n))!;
    expect(s.dependsOn).toEqual([{ name: serviceName(29_982, n), condition: "healthy" }]);
    expect([s.port, s.phaseName, s.env.REGION, s.command]).toEqual([39_987, "user-facing", "us-east-2", "PORT=39987 exec sleep 3600"]);
    const plan = buildLaunchPlan(config!);
    expect(plan.phases.flatMap((p) => p.steps.flat())).toHaveLength(n);
  }, 120_000);
});

describe("a reload parses off the event loop (compiled binary)", () => {
  test("status requests sent after the reload began are answered before it, and probes keep running", async () => {
    const port = freePort();
    const manifest = {
      version: 1,
      name: "reload-big",
      api: { host: "127.0.0.1", port },
      discovery: { roots: [] },
      state: { dir: "state" },
      services: { web: { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health", interval: "100ms" } } },
    };
    const run = new BinaryRun(writeFleetDir(manifest), ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    // Three MiB of an ignored `x-` list: seconds of YAML parsing, and nothing to reconcile.
    const filler = `x-filler:\n${"  - { name: filler, value: 12345, tags: [a, b, c] }\n".repeat((3 * MiB) / 50)}`;
    writeFileSync(join(run.dir, "orchestrator.yaml"), yamlOf(manifest) + filler);

    const api = `http://127.0.0.1:${port}/orchestrator`;
    let reloaded = false;
    const reload = fetch(`${api}/reload`, { method: "POST" }).then(async (res) => {
      reloaded = true;
      return { status: res.status, body: await res.text() };
    });
    const answeredBefore: number[] = [];
    const probesBefore: number[] = [];
    while (!reloaded) {
      const status = await fetch(`${api}/status`);
      if (!reloaded && status.ok) answeredBefore.push(status.status);
      const stats = (await (await fetch(`${api}/stats`)).json()) as { probesRun: number };
      if (!reloaded) probesBefore.push(stats.probesRun);
      await Bun.sleep(20);
    }
    const outcome = await reload;
    expect(outcome.status).toBe(200);
    expect(answeredBefore.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...probesBefore) - Math.min(...probesBefore)).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

// The manifest as block YAML, one top-level key per line (values as JSON, which YAML reads),
// so that a block list can follow it.
function yamlOf(manifest: Record<string, unknown>): string {
  return Object.entries(manifest).map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`).join("");
}
