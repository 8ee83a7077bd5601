import { describe, expect, test } from "bun:test";
import type { LaunchResult } from "../../src/supervisor/launcher";
import { NO_PROBE, createHarness, service } from "./harness";

function spawnedNames(h: ReturnType<typeof createHarness>): string[] {
  return h.spawner.spawns.map((s) => s.name);
}

describe("phased launch", () => {
  test("phase 0 starts serially in dependency order, later phases in parallel as their dependencies allow", async () => {
    const h = createHarness([
      service("db", { phase: 0 }),
      service("cache", { phase: 0, dependsOn: ["db"] }),
      service("api", { phase: 1, dependsOn: ["cache"] }),
      service("worker", { phase: 1 }),
      service("web", { phase: 2, dependsOn: ["api"] }),
      service("report", { phase: 2 }),
    ]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    await h.settle();
    expect(spawnedNames(h)).toEqual(["db"]);
    await h.clock.advance(5_000);
    expect(spawnedNames(h)).toEqual(["db"]); // serial: waits for db to be ready
    h.probes.pass("db");
    expect(spawnedNames(h)).toEqual(["db", "cache"]);
    h.probes.pass("cache");
    // phase 0 is done: everything whose dependencies are met starts together
    expect(spawnedNames(h).slice(2).sort()).toEqual(["api", "report", "worker"]);
    expect(h.state("web")).toBe("pending");
    h.probes.pass("api");
    expect(spawnedNames(h).at(-1)).toBe("web");
    h.probes.pass("worker", "report");
    expect(result).toBeUndefined();
    h.probes.pass("web");
    await h.settle();
    expect(result).toEqual({ outcome: "ready", reasons: [] });
    expect(h.sink.statuses().at(-1)).toEqual({ state: "ready", reasons: [] });
  });

  test("launch.criticalConcurrency > 1 starts phase 0 services together, still in dependency order", async () => {
    const h = createHarness(
      [service("db", { phase: 0 }), service("cache", { phase: 0 }), service("auth", { phase: 0, dependsOn: ["db"] }), service("api", { phase: 1 })],
      { configure: (config) => void (config.launch.criticalConcurrency = 8) },
    );
    void h.supervisor.start();
    await h.settle();
    expect(spawnedNames(h).sort()).toEqual(["cache", "db"]); // auth waits for db; api for phase 0
    h.probes.pass("db");
    expect(spawnedNames(h).at(-1)).toBe("auth");
    h.probes.pass("cache", "auth");
    expect(spawnedNames(h).at(-1)).toBe("api");
  });

  test("a dependent never waits for unrelated services", async () => {
    const h = createHarness([service("slow", { phase: 1 }), service("a", { phase: 1 }), service("b", { phase: 2, dependsOn: ["a"] })]);
    void h.supervisor.start();
    h.probes.pass("a");
    expect(h.state("b")).toBe("starting");
    expect(h.state("slow")).toBe("starting");
  });

  test("conditions: started and completed", async () => {
    const h = createHarness([
      service("migrate", { phase: 1, health: NO_PROBE }),
      service("queue", { phase: 1 }),
      service("app", { phase: 2, dependsOn: [{ name: "migrate", condition: "completed" }, { name: "queue", condition: "started" }] }),
    ]);
    void h.supervisor.start();
    expect(h.state("queue")).toBe("starting");
    expect(h.state("app")).toBe("pending"); // migrate still running
    h.spawner.last("migrate").exit(0);
    await h.settle();
    expect(h.state("migrate")).toBe("completed");
    expect(h.state("app")).toBe("starting"); // queue only needed to be started
  });

  test("no more than launch.concurrency services are starting at once", async () => {
    const names = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const h = createHarness(names.map((n) => service(n)), { concurrency: 3 });
    void h.supervisor.start();
    expect(h.spawner.spawns).toHaveLength(3);
    h.probes.pass("s0");
    expect(h.spawner.spawns).toHaveLength(4);
    h.probes.pass("s1", "s2", "s3");
    expect(h.spawner.spawns).toHaveLength(7);
    expect(h.supervisor.snapshot().system.counts.starting).toBe(3);
  });

  test("without a probe a service is ready after 1 s of running", async () => {
    const h = createHarness([service("plain", { health: NO_PROBE })]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    await h.clock.advance(999);
    expect(h.state("plain")).toBe("starting");
    await h.clock.advance(1);
    expect(h.state("plain")).toBe("healthy");
    expect(result?.outcome).toBe("ready");
    expect(h.sink.health("plain")).toEqual([{ name: "plain", ok: true, status: "healthy", latencyMs: 0 }]);
  });

  test("spawn gets process env, then envFile, then service env, then PORT", async () => {
    const h = createHarness([service("api", { env: { A: "service", C: "service" }, envFile: "/srv/api/.env", port: 4001 })], {
      overrides: {
        processEnv: { A: "process", B: "process", D: "process", PORT: "1", UNSET: undefined },
        readTextFile: (path) => (path === "/srv/api/.env" ? "# comment\nB=file\nexport D=\"quoted\\nline\"\n" : undefined),
      },
    });
    void h.supervisor.start();
    const spec = h.spawner.spawns[0]!;
    expect(spec.env).toEqual({ A: "service", B: "file", C: "service", D: "quoted\nline", PORT: "4001" });
    expect(spec.cwd).toBe("/srv/services/api");
    expect(spec.command).toEqual(["bun", "run", "index.ts"]);
  });

  test("output lines go to onOutput", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.spawner.last("api").emit("stderr", "boom");
    expect(h.output).toEqual(["api stderr boom"]);
  });
});

describe("failed starts", () => {
  test("not ready within startupTimeout is a failed start that goes through the ladder", async () => {
    const h = createHarness([service("api", { startupTimeoutMs: 10_000 })]);
    void h.supervisor.start();
    await h.clock.advance(9_999);
    expect(h.spawner.children("api")).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.spawner.children("api")).toHaveLength(2);
    expect(h.spawner.children("api")[0]!.signals).toEqual(["SIGKILL"]);
    expect(h.sink.healing("api").map((e) => e.action)).toEqual(["detected", "restart-scheduled", "restarted"]);
    expect(h.sink.healing("api")[0]!.reason).toBe("not ready within 10000ms");
    expect(h.sink.states("api")).toEqual(["starting", "backoff", "starting"]);
  });

  test("a critical service never ready before its startup timeout aborts the launch, stopping everything in reverse order", async () => {
    const h = createHarness(
      [
        service("db", { phase: 0 }),
        service("auth", { phase: 0, dependsOn: ["db"], startupTimeoutMs: 20_000, restart: { policy: "on-failure", backoffMs: [1000], resetAfterMs: 1 } }),
        service("api", { phase: 1 }),
      ],
    );
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.probes.pass("db");
    h.spawner.onSpawn((child) => child.spec.name === "auth" && queueMicrotask(() => child.exit(1)));
    h.spawner.last("auth").exit(1); // crashes on every attempt
    await h.clock.advance(19_999);
    expect(result).toBeUndefined();
    expect(h.spawner.children("auth")).toHaveLength(3); // then the breaker holds the 4th back for its cooldown
    await h.clock.advance(1);
    expect(result?.outcome).toBe("aborted");
    expect(result?.service).toBe("auth");
    expect(result?.reasons[0]).toContain("critical service auth was not ready within 20000ms");
    expect(h.spawner.children("api")).toHaveLength(0);
    expect(h.spawner.running()).toHaveLength(0);
    expect(h.state("db")).toBe("stopped");
    expect(h.state("api")).toBe("stopped");
    const statuses = h.sink.statuses().map((s) => s.state);
    expect(statuses.slice(-2)).toEqual(["stopping", "stopped"]);
    // db (the dependency) is stopped only after auth
    const order = h.sink.transitions().filter((t) => t.endsWith(":stopped"));
    expect(order.indexOf("db:stopped")).toBeGreaterThan(order.indexOf("auth:stopped"));
  });

  test("a critical service with policy never aborts at its first failure", async () => {
    const h = createHarness([service("db", { phase: 0, restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } }), service("api")]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.spawner.last("db").exit(3);
    await h.settle();
    expect(result).toMatchObject({ outcome: "aborted", service: "db" });
    expect(result!.reasons[0]).toContain("exited with code 3");
    expect(h.state("db")).toBe("stopped");
    expect(h.spawner.children("api")).toHaveLength(0);
  });

  test("a failed non-critical service blocks its dependents, which start when it recovers", async () => {
    const h = createHarness([
      service("search", { restart: { policy: "on-failure", backoffMs: [5_000], resetAfterMs: 1 } }),
      service("indexer", { phase: 2, dependsOn: ["search"] }),
      service("ui", { phase: 3, dependsOn: ["indexer"] }),
      service("other", { phase: 1 }),
    ]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.probes.pass("other");
    h.spawner.last("search").exit(1);
    await h.settle();
    expect(h.state("search")).toBe("backoff");
    expect(h.state("indexer")).toBe("blocked");
    expect(h.state("ui")).toBe("blocked");
    expect(result?.outcome).toBe("degraded");
    expect(result?.reasons).toContain("search is backoff: exited with code 1");
    expect(result?.reasons).toContain("indexer is blocked: dependency search is backoff");
    await h.clock.advance(5_000);
    expect(h.state("search")).toBe("starting");
    expect(h.state("indexer")).toBe("blocked"); // still blocked until search is ready
    h.probes.pass("search");
    expect(h.state("indexer")).toBe("starting");
    h.probes.pass("indexer");
    h.probes.pass("ui");
    expect(h.sink.statuses().at(-1)).toEqual({ state: "ready", reasons: [] });
  });

  test("an optional phase-0 service that fails does not abort", async () => {
    const h = createHarness([service("metrics", { phase: 0, optional: true }), service("api")]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.spawner.last("metrics").exit(1);
    await h.settle();
    h.probes.pass("api");
    await h.settle();
    expect(result?.outcome).toBe("degraded");
  });
});

describe("phase 0 edge cases", () => {
  test("later phases start even when a failed optional phase-0 service leaves another phase-0 service blocked", async () => {
    const h = createHarness([
      service("metrics", { phase: 0, optional: true, restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } }),
      service("exporter", { phase: 0, optional: true, dependsOn: ["metrics"] }),
      service("api", { phase: 1 }),
    ]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.spawner.last("metrics").exit(1);
    await h.settle();
    expect(h.state("exporter")).toBe("blocked");
    expect(h.state("api")).toBe("starting");
    h.probes.pass("api");
    await h.settle();
    expect(result?.outcome).toBe("degraded");
  });

  test("a critical service blocked by a failed optional one aborts the launch", async () => {
    const h = createHarness([
      service("metrics", { phase: 0, optional: true, restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } }),
      service("auth", { phase: 0, dependsOn: ["metrics"] }),
    ]);
    let result: LaunchResult | undefined;
    void h.supervisor.start().then((r) => (result = r));
    h.spawner.last("metrics").exit(1);
    await h.settle();
    expect(result).toMatchObject({ outcome: "aborted", service: "auth" });
    expect(result!.reasons[0]).toBe("critical service auth cannot start: dependency metrics is failed");
  });
});
