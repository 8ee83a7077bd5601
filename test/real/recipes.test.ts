/**
 * The single-program recipes of docs/RECIPES.md, each under the compiled binary as written
 * there: the Python app (unbuffered output, a clean exit on SIGTERM), the Node.js app, and
 * the legacy forking daemon supervised through its pidFile (and, without it, reported as
 * daemonized). The fleet recipes (PostgreSQL, Redis, the app, nginx) run in fleet.test.ts.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findUser } from "../../src/lib/libc";
import { BinaryRun, ensureBinary, type LogRecord } from "../helpers/binary-run";
import { isGone, waitFor, waitGone } from "../helpers/processes";
import { missingForReal, readPidFile, uidOf, writeRealFleet, type RealFleet } from "./recipes";

interface Summary {
  name: string;
  state: string;
  pid: number | null;
  lastReason: string | null;
}

const runs: BinaryRun[] = [];
const fleets: RealFleet[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  for (const fleet of fleets.splice(0)) fleet.remove();
});

function up(names: string[], edit?: (manifest: string) => string): { run: BinaryRun; fleet: RealFleet; service: (name: string) => Promise<Summary> } {
  const fleet = writeRealFleet(names);
  fleets.push(fleet);
  if (edit) writeFileSync(join(fleet.dir, "orchestrator.yaml"), edit(fleet.manifest));
  const check = Bun.spawnSync([join(import.meta.dir, "../../dist/orchestrator"), "check"], { cwd: fleet.dir, env: fleet.env });
  expect(check.stderr.toString()).toBe("");
  const run = new BinaryRun(fleet.dir, ["up"], { env: fleet.env });
  runs.push(run);
  const api = `http://127.0.0.1:${fleet.ports.API_PORT}`;
  const service = async (name: string) => ((await (await fetch(`${api}/orchestrator/services`)).json()) as Summary[]).find((s) => s.name === name)!;
  return { run, fleet, service };
}

const healthy = (service: string) => (r: LogRecord) => r.event === "service" && r.service === service && r.to === "healthy";
const stopped = (service: string) => (r: LogRecord) => r.event === "service" && r.service === service && r.to === "stopped";

const pythonMissing = missingForReal(["/usr/bin/python3"], []);
if (pythonMissing) console.log(`test/real/recipes.test.ts: the Python recipe is skipped, it ${pythonMissing}`);
describe.skipIf(pythonMissing !== null)("the Python recipe", () => {
  test("python3 -u: its first line arrives while it runs; SIGTERM ends it with exit 0", async () => {
    const { run, fleet, service } = up(["python"]);
    await run.waitRecord(healthy("py"), 30_000, "py healthy");
    const printed = await run.waitRecord((r) => r.service === "py" && r.stream === "stdout", 10_000, "py's first line");
    expect(printed.msg).toBe(`py listening on ${fleet.ports.PY_PORT}`);
    expect((await fetch(`http://127.0.0.1:${fleet.ports.PY_PORT}/health`)).status).toBe(200);
    const { pid } = await service("py");
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await waitGone([pid!], 5000)).toEqual([]);
    const exit = run.records.find((r) => r.event === "service" && r.service === "py" && r.to === "stopped");
    expect(exit).toBeDefined();
    expect(run.records.filter((r) => r.service === "py" && r.event === "healing")).toEqual([]); // a clean exit: nothing to heal
  }, 60_000);
});

const nodeMissing = missingForReal(["node"], []);
describe.skipIf(nodeMissing !== null)("the Node.js recipe", () => {
  test("node server.js: the service pid is node's; SIGTERM closes the server and the stop is clean", async () => {
    const { run, fleet, service } = up(["node"]);
    await run.waitRecord(healthy("node-app"), 30_000, "node-app healthy");
    const { pid } = await service("node-app");
    expect(readFileSync(`/proc/${pid}/comm`, "utf8").trim()).toBe("node");
    expect(await (await fetch(`http://127.0.0.1:${fleet.ports.NODE_PORT}/health`)).json()).toEqual({ ok: true });
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    await run.waitRecord(stopped("node-app"), 5000, "node-app stopped");
    expect(isGone(pid!)).toBe(true);
  }, 60_000);
});

const redisMissing = missingForReal(["redis-server", "redis-cli"], ["redis"]);
if (redisMissing) console.log(`test/real/recipes.test.ts: the legacy daemon recipe is skipped, it ${redisMissing}`);
describe.skipIf(redisMissing !== null)("the legacy forking daemon recipe (redis --daemonize yes)", () => {
  test("with pidFile: the daemon is the service (its pid, its user), healthy not completed; kill -9 heals; a stop ends it", async () => {
    const { run, fleet, service } = up(["legacy"]);
    await run.waitRecord(healthy("legacy"), 30_000, "legacy healthy");
    const first = await service("legacy");
    expect(first.pid).toBe(readPidFile(fleet.env.LEGACY_PID!)!);
    expect(uidOf(first.pid!)).toBe(findUser("redis")!.uid);
    expect(run.records.some((r) => r.event === "notice" && r.kind === "daemon-adopted" && r.service === "legacy")).toBe(true);

    process.kill(first.pid!, "SIGKILL");
    await waitFor(async () => {
      const now = await service("legacy");
      return now.state === "healthy" && now.pid !== first.pid && now.pid === readPidFile(fleet.env.LEGACY_PID!);
    }, 30_000, "the daemon restarted and followed again");
    const second = await service("legacy");
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await waitGone([second.pid!], 5000)).toEqual([]);
    expect(existsSync(fleet.env.LEGACY_PID!)).toBe(false); // redis removed its pid file: it shut down by its SIGTERM handler
  }, 90_000);

  test("without pidFile: reported as daemonized (a failure with the hint), and its daemon is not left running", async () => {
    const { run, fleet } = up(["legacy"], (manifest) => manifest.replace(/^ {4}pidFile: .*\n/m, "").replace("  legacy:\n", "  legacy:\n    restart: { policy: never }\n"));
    const failed = await run.waitRecord((r) => r.event === "service" && r.service === "legacy" && r.to === "failed", 30_000, "legacy failed");
    expect(String(failed.msg)).toMatch(/\(looks daemonized: exited with code 0 \d+ms after starting /);
    expect(String(failed.msg)).toContain("redis-server --daemonize no");
    await waitFor(() => readPidFile(fleet.env.LEGACY_PID!) === null || isGone(readPidFile(fleet.env.LEGACY_PID!)!), 10_000, "the daemon it forked to be gone");
  }, 60_000);
});
