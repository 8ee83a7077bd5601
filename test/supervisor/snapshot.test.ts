import { describe, expect, test } from "bun:test";
import { EnvFileError, parseEnvFile } from "../../src/supervisor/env";
import { createHarness, service } from "./harness";

describe("snapshot", () => {
  test("reports each service and the system as plain data", async () => {
    const h = createHarness([service("db", { phase: 0, port: 5432 }), service("api", { dependsOn: ["db"], port: 4001 })]);
    void h.supervisor.start();
    expect(h.supervisor.snapshot().system).toMatchObject({ state: "starting", uptimeMs: 0 });
    h.probes.pass("db");
    await h.clock.advance(2_500);
    const api = h.supervisor.service("api");
    expect(api).toMatchObject({
      name: "api",
      state: "starting",
      phase: 1,
      phaseName: "core",
      pid: 1001,
      port: 4001,
      restarts: 0,
      uptimeMs: 2_500,
      health: { status: "unknown", latencyMs: null, endpoint: null, checkedAt: null },
      healthHistory: [],
      dependsOn: [{ name: "db", condition: "healthy" }],
      breaker: { state: "closed", failures: 0 },
    });
    expect(api.config.name).toBe("api");
    h.probes.pass("api");
    await h.settle();
    const snap = h.supervisor.snapshot();
    expect(snap.services.map((s) => s.name)).toEqual(["db", "api"]);
    expect(snap.services[0]!.health).toMatchObject({ status: "healthy", latencyMs: 3, endpoint: "/health" });
    expect(snap.services[0]!.healthHistory).toHaveLength(1);
    expect(snap.system).toMatchObject({ state: "ready", uptimeMs: 2_500, reasons: [] });
    expect(snap.system.counts.healthy).toBe(2);
    expect(snap.system.counts.pending).toBe(0);
  });

  test("reasons follow the services after launch", async () => {
    const h = createHarness([service("api", { restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } })]);
    void h.supervisor.start();
    h.probes.pass("api");
    h.spawner.last("api").exit(9);
    await h.settle();
    expect(h.supervisor.snapshot().system).toMatchObject({ state: "degraded", reasons: ["api is failed: exited with code 9"] });
    expect(h.sink.statuses().at(-1)).toEqual({ state: "degraded", reasons: ["api is failed: exited with code 9"] });
    expect(h.supervisor.service("api").pid).toBeNull();
  });
});

describe("envFile parsing", () => {
  test("KEY=VALUE, export, comments, quotes", () => {
    expect(parseEnvFile("A=1\n# c\n\nexport B = two # note\nC='x # y'\nD=\"a\\tb\"\nE=\n")).toEqual({ A: "1", B: "two", C: "x # y", D: "a\tb", E: "" });
  });

  test("a bad line names file, line and what was found", () => {
    expect(() => parseEnvFile("A=1\nnot a pair\n", "/srv/.env")).toThrow(new EnvFileError("/srv/.env", 2, "not a pair"));
    expect(() => parseEnvFile("oops", "/srv/.env")).toThrow('/srv/.env:1: expected KEY=VALUE, found "oops"');
  });

  test("an invalid envFile makes the spawn fail with that reason instead of crashing the supervisor", async () => {
    const h = createHarness([service("api", { envFile: "/srv/.env", restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } })], {
      overrides: { readTextFile: () => "garbage" },
    });
    void h.supervisor.start();
    await h.settle();
    expect(h.state("api")).toBe("failed");
    expect(h.sink.healing("api")[0]!.reason).toContain("expected KEY=VALUE");
  });

  test("a fleet-wide condition degrades a ready fleet, is listed first, and clearing it makes the fleet ready again", async () => {
    const h = createHarness([service("api")]);
    h.supervisor.setCondition("storage", "storage: cannot write orchestrator.db (disk full)");
    void h.supervisor.start();
    expect(h.supervisor.snapshot().system.reasons).toEqual(["storage: cannot write orchestrator.db (disk full)"]);
    h.probes.pass("api");
    await h.settle();
    expect(h.supervisor.snapshot().system).toMatchObject({ state: "degraded", reasons: ["storage: cannot write orchestrator.db (disk full)"] });
    h.supervisor.setCondition("storage", null);
    expect(h.supervisor.snapshot().system).toMatchObject({ state: "ready", reasons: [] });
    expect(h.sink.statuses().slice(-2)).toEqual([
      { state: "degraded", reasons: ["storage: cannot write orchestrator.db (disk full)"] },
      { state: "ready", reasons: [] },
    ]);
    h.supervisor.setCondition("storage", null); // clearing twice emits nothing
    expect(h.sink.statuses().at(-1)).toEqual({ state: "ready", reasons: [] });
  });
});
