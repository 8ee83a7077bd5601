import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { FakeSpawner } from "../../src/process/fake-spawner";
import { Supervisor } from "../../src/supervisor/supervisor";
import { makeConfig } from "../graph/make-service";
import { MemorySink, NO_PROBE, createHarness, service } from "./harness";

describe("shutdown", () => {
  test("stops dependents before their dependencies and resolves when all are down", async () => {
    const h = createHarness([
      service("db", { phase: 0 }),
      service("api", { phase: 1, dependsOn: ["db"] }),
      service("web", { phase: 2, dependsOn: ["api"] }),
      service("cron", { phase: 1, dependsOn: ["db"] }),
    ]);
    let result: unknown;
    void h.supervisor.start().then((r) => (result = r));
    h.probes.pass("db", "api", "cron", "web");
    await h.settle();
    h.spawner.setStopBehaviour("web", { exitAfterMs: 2_000 });
    let done = false;
    void h.supervisor.shutdown().then(() => (done = true));
    await h.settle();
    expect(h.state("web")).toBe("stopping");
    expect(h.state("cron")).toBe("stopped"); // independent branch stops at once
    expect(h.state("api")).toBe("healthy"); // waits for web
    expect(h.state("db")).toBe("healthy");
    await h.clock.advance(2_000);
    expect(done).toBe(true);
    const stopped = h.sink.transitions().filter((t) => t.endsWith(":stopped"));
    expect(stopped).toEqual(["cron:stopped", "web:stopped", "api:stopped", "db:stopped"]);
    expect(h.sink.statuses().slice(-2).map((s) => s.state)).toEqual(["stopping", "stopped"]);
    expect(h.spawner.running()).toHaveLength(0);
    expect(result).toMatchObject({ outcome: "ready" });
  });

  test("during launch it cancels what has not started and resolves start() as stopped", async () => {
    const h = createHarness([service("a"), service("b", { phase: 2, dependsOn: ["a"] })]);
    let result: unknown;
    void h.supervisor.start().then((r) => (result = r));
    await h.supervisor.shutdown();
    await h.settle();
    expect(result).toMatchObject({ outcome: "stopped" });
    expect(h.spawner.children("b")).toHaveLength(0);
    expect(h.state("b")).toBe("stopped");
    expect(() => h.supervisor.restart("a")).toThrow("shutting down");
  });

  test("a crash while shutting down is not healed", async () => {
    const h = createHarness([service("a")]);
    void h.supervisor.start();
    h.spawner.setStopBehaviour("a", { exitAfterMs: 1_000 });
    void h.supervisor.shutdown();
    h.spawner.last("a").exit(1);
    await h.clock.advance(5_000);
    expect(h.spawner.children("a")).toHaveLength(1);
    expect(h.state("a")).toBe("stopped");
  });

  test("a shutdown that settles the launch's last service reports stopping then stopped, never a launch verdict", async () => {
    const h = createHarness([service("a")]);
    void h.supervisor.start();
    h.spawner.setStopBehaviour("a", { exitAfterMs: 1_000 });
    void h.supervisor.shutdown();
    expect(h.supervisor.system()).toMatchObject({ state: "stopping", reasons: ["shutdown requested"] });
    await h.clock.advance(5_000);
    expect(h.sink.statuses().map((s) => s.state)).toEqual(["stopping", "stopped"]);
  });

  test("200 services that obey SIGTERM stop well within 300 ms", async () => {
    const services = Array.from({ length: 200 }, (_, i) =>
      service(`s${String(i).padStart(3, "0")}`, { health: NO_PROBE, dependsOn: i >= 10 ? [`s${String(i % 10).padStart(3, "0")}`] : [] }),
    );
    const clock = new FakeClock();
    const spawner = new FakeSpawner({ clock });
    const supervisor = new Supervisor({ config: makeConfig(services, 200), spawner, clock, sink: new MemorySink(clock), createProbe: () => null });
    void supervisor.start();
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(spawner.running()).toHaveLength(200);
    const started = performance.now();
    await supervisor.shutdown();
    expect(performance.now() - started).toBeLessThan(300);
    expect(spawner.running()).toHaveLength(0);
  });
});

describe("hot path", () => {
  test("crash → respawn with zero backoff costs well under a millisecond of our own work", async () => {
    const h = createHarness([service("api", { health: NO_PROBE, restart: { policy: "always", backoffMs: [0], resetAfterMs: 0 } })], {
      configure: (c) => void (c.circuitBreaker.failureThreshold = 1_000_000),
    });
    void h.supervisor.start();
    const rounds = 2_000;
    let spent = 0;
    for (let i = 0; i < rounds; i++) {
      await h.clock.advance(1_000); // ready again, so the attempt count resets
      const started = performance.now();
      h.spawner.last("api").exit(1);
      await h.spawner.last("api").exited; // the exit handler runs right after this resolves
      await Promise.resolve();
      spent += performance.now() - started;
      expect(h.state("api")).toBe("starting");
    }
    expect(h.spawner.children("api")).toHaveLength(rounds + 1);
    expect(spent / rounds).toBeLessThan(1);
  });
});
