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

  test("a bad line names file and line, and what is wrong with it, never its contents (it may hold a secret)", () => {
    const thrown = (text: string) => {
      try {
        parseEnvFile(text, "/srv/.env");
      } catch (err) {
        return err as EnvFileError;
      }
      throw new Error("expected parseEnvFile to throw");
    };
    const noEquals = thrown("A=1\nsk-live-0123456789\n");
    expect(noEquals).toBeInstanceOf(EnvFileError);
    expect({ file: noEquals.file, line: noEquals.line }).toEqual({ file: "/srv/.env", line: 2 });
    expect(noEquals.message).toStartWith('/srv/.env:2: expected KEY=VALUE, a # comment or a blank line, got a line without "="');
    expect(noEquals.message).not.toContain("sk-live");
    const badName = thrown("# ok\n\nDB PASSWORD=hunter2");
    expect(badName.message).toStartWith("/srv/.env:3: ");
    expect(badName.message).toContain("not a variable name");
    expect(badName.message).not.toMatch(/hunter2|PASSWORD/);
  });

  test("an invalid envFile makes the spawn fail with that reason instead of crashing the supervisor", async () => {
    const h = createHarness([service("api", { envFile: "/srv/.env", restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } })], {
      overrides: { readTextFile: () => "garbage" },
    });
    void h.supervisor.start();
    await h.settle();
    expect(h.state("api")).toBe("failed");
    expect(h.sink.healing("api")[0]!.reason).toContain("/srv/.env:1: expected KEY=VALUE");
    expect(h.sink.healing("api")[0]!.reason).not.toContain("garbage");
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
