/**
 * `orchestrator up` as shipped: the compiled binary on a tmp fleet of fixture services.
 * The no-orphans proof (SIGKILL the orchestrator, every service and grandchild dies), clean
 * shutdown order, exit codes, self-healing of a killed service, and the pretty log format.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, isGone, waitFor, waitGone } from "../helpers/processes";

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

const FAST = {
  health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 },
  restart: { backoff: ["0ms", "50ms", "50ms", "50ms", "50ms", "50ms", "50ms"] },
  shutdown: { timeout: "2s" },
};

function manifest(services: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return {
    version: 1,
    name: "e2e",
    api: { host: "127.0.0.1", port: freePort() },
    discovery: { roots: [] },
    state: { dir: "state" },
    defaults: FAST,
    services,
  };
}

function fixture(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: fixtureCommand(name), ...extra };
}

function up(services: Record<string, Record<string, unknown>>, args: string[] = []): BinaryRun {
  const run = new BinaryRun(writeFleetDir(manifest(services)), ["up", ...args]);
  runs.push(run);
  return run;
}

const isReady = (r: LogRecord) => r.msg === "SYSTEM READY";

/** A fleet with a critical store, dependents, and two services that fork grandchildren. */
function forkingFleet() {
  return {
    store: fixture("healthy.ts", { port: freePort(), phase: "critical" }),
    api: fixture("healthy.ts", { port: freePort(), dependsOn: ["store"] }),
    web: fixture("healthy.ts", { port: freePort(), dependsOn: ["api"] }),
    forker: fixture("fork-grandchildren.ts", { env: { GRANDCHILDREN: 3 }, health: false, dependsOn: ["store"] }),
    spare: fixture("fork-grandchildren.ts", { health: false }),
  };
}

/** The latest pid logged for each service. */
function latestPids(run: BinaryRun): Map<string, number> {
  const pids = new Map<string, number>();
  for (const t of run.transitions()) if (typeof t.pid === "number") pids.set(t.service, t.pid);
  return pids;
}

describe("orchestrator up (compiled binary)", () => {
  test("SIGKILL of the orchestrator leaves no service and no grandchild behind", async () => {
    const run = up(forkingFleet());
    await run.waitRecord(isReady, 20_000, "SYSTEM READY");
    await waitFor(() => run.grandchildren().length === 5, 5000, "both forkers to print their grandchildren");
    const services = [...latestPids(run).values()];
    const grandchildren = run.grandchildren();
    expect(services).toHaveLength(5);
    const everyone = run.collectPids();
    expect(everyone.every((pid) => !isGone(pid))).toBe(true);

    process.kill(run.pid, "SIGKILL");
    expect(await run.exited).not.toBe(0);
    expect(await waitGone([...services, ...grandchildren], 10_000)).toEqual([]);
  }, 30_000);

  test("SIGTERM stops services in reverse dependency order and exits 0", async () => {
    const run = up(forkingFleet());
    await run.waitRecord(isReady, 20_000, "SYSTEM READY");
    await waitFor(() => run.grandchildren().length === 5, 5000, "grandchildren printed");
    const everyone = run.collectPids();

    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    const stopping = run.transitions().filter((t) => t.to === "stopping").map((t) => t.service);
    expect(stopping.sort()).toEqual(["api", "forker", "spare", "store", "web"]);
    const order = run.transitions().filter((t) => t.to === "stopping").map((t) => t.service);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before("web", "api");
    before("api", "store");
    before("forker", "store");
    expect(order.at(-1)).toBe("store");
    expect(run.transitions().filter((t) => t.to === "stopped")).toHaveLength(5);
    expect(run.records.some((r) => r.msg === "all services stopped")).toBe(true);
    expect(await waitGone(everyone, 5000)).toEqual([]);
  }, 30_000);

  test("a second signal during a slow shutdown kills everything and exits 130", async () => {
    const run = up({
      stubborn: fixture("ignore-sigterm.ts", { health: false, shutdown: { timeout: "60s" } }),
      forker: fixture("fork-grandchildren.ts", { health: false }),
    });
    await run.waitRecord(isReady, 20_000, "SYSTEM READY");
    await run.waitRecord((r) => r.service === "stubborn" && typeof r.msg === "string" && r.msg.startsWith("ready "), 5000, "the SIGTERM handler to be in");
    await waitFor(() => run.grandchildren().length === 2, 5000, "grandchildren printed");
    const everyone = run.collectPids();
    run.signal("SIGTERM");
    await run.waitRecord((r) => r.service === "stubborn" && r.msg === "ignore-sigterm: got SIGTERM, ignoring it", 5000, "the ignored SIGTERM");
    run.signal("SIGINT");
    expect(await run.exited).toBe(130);
    expect(await waitGone(everyone, 5000)).toEqual([]);
  }, 30_000);

  test("a critical service that never becomes healthy exits 1 and leaves nothing running", async () => {
    const run = up({
      first: fixture("healthy.ts", { port: freePort(), phase: "critical" }),
      vault: fixture("never-healthy.ts", {
        port: freePort(),
        phase: "critical",
        health: { http: "/health", interval: "100ms", timeout: "300ms", failureThreshold: 1 },
        startupTimeout: "800ms",
        restart: { backoff: ["0ms"] },
      }),
      app: fixture("healthy.ts", { port: freePort(), dependsOn: ["vault"] }),
    });
    expect(await run.exited).toBe(1);
    const aborted = run.records.find((r) => typeof r.msg === "string" && r.msg.startsWith("launch aborted"));
    expect(aborted?.msg).toContain("critical service vault");
    expect(run.records.some(isReady)).toBe(false);
    expect(run.transitions().some((t) => t.service === "app" && t.to === "starting")).toBe(false);
    const everyone = run.collectPids();
    expect(everyone.length).toBeGreaterThanOrEqual(2);
    expect(await waitGone(everyone, 5000)).toEqual([]);
  }, 30_000);

  test("a bad manifest exits 2 with a positioned message and starts nothing", async () => {
    const bad = manifest({ web: fixture("healthy.ts", { port: "eighty" }), api: fixture("healthy.ts", { dependsOn: ["nope"] }) });
    const dir = writeFleetDir({});
    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(bad, null, 2));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    expect(await run.exited).toBe(2);
    const stderr = await run.stderrText;
    expect(stderr).toMatch(/orchestrator\.yaml:\d+:\d+ services\.web\.port: expected an integer/);
    expect(stderr).toMatch(/orchestrator\.yaml:\d+:\d+ services\.api\.dependsOn/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(run.transitions()).toEqual([]);
    expect(run.lines.some((l) => l.includes("healthy: pid"))).toBe(false);
  }, 15_000);

  test("kill -9 of one service: a new pid is logged and it is healthy again", async () => {
    const run = up({
      store: fixture("healthy.ts", { port: freePort(), phase: "critical" }),
      api: fixture("healthy.ts", { port: freePort(), dependsOn: ["store"] }),
    });
    await run.waitRecord(isReady, 20_000, "SYSTEM READY");
    const old = latestPids(run).get("api")!;
    process.kill(old, "SIGKILL");
    const back = await run.waitRecord(
      (r) => r.event === "service" && r.service === "api" && r.to === "healthy" && typeof r.pid === "number" && r.pid !== old,
      15_000,
      "api healthy with a new pid",
    );
    expect(await waitGone([old], 3000)).toEqual([]);
    expect(isGone(back.pid as number)).toBe(false);
    // `recovered` is logged right after the transition: it may still be in the pipe
    await run.waitRecord((r) => r.event === "healing" && r.service === "api" && r.action === "recovered", 5000, "api recovered");
    const healing = run.records.filter((r) => r.event === "healing" && r.service === "api").map((r) => r.action);
    expect(healing).toEqual(expect.arrayContaining(["detected", "restart-scheduled", "restarted", "recovered"]));
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 30_000);

  test("--log-format pretty prints human lines naming the services", async () => {
    const run = up({ store: fixture("healthy.ts", { port: freePort() }) }, ["--log-format", "pretty"]);
    await run.waitLine((line) => line.includes("SYSTEM READY"), 20_000, "SYSTEM READY");
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    const meaningful = run.lines.filter((l) => l.trim() !== "");
    expect(meaningful.length).toBeGreaterThan(3);
    expect(meaningful.every((l) => !l.trimStart().startsWith("{"))).toBe(true);
    expect(meaningful.some((l) => l.includes("store: pending -> starting"))).toBe(true);
    expect(meaningful.some((l) => /store/.test(l) && l.includes("healthy: pid"))).toBe(true);
    // Service pids are in the pretty text too: clean up by them.
    for (const line of meaningful) for (const m of line.matchAll(/healthy: pid (\d+)/g)) run.pids.add(Number(m[1]));
  }, 30_000);
});
