import { describe, expect, test } from "bun:test";
import { NO_PROBE, createHarness, service } from "./harness";

async function launchHealthy(h: ReturnType<typeof createHarness>, ...names: string[]) {
  void h.supervisor.start();
  for (const name of names) h.probes.pass(name);
  await h.settle();
}

const noBreaker = { configure: (c: { circuitBreaker: { failureThreshold: number } }) => void (c.circuitBreaker.failureThreshold = 1000) };

describe("healing ladder", () => {
  test("repeated failures climb immediate → graceful → dependencies → quarantine", async () => {
    const h = createHarness([service("db"), service("api", { phase: 2, dependsOn: ["db"] })], noBreaker);
    await launchHealthy(h, "db", "api");
    const tiers: string[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      const before = h.spawner.last("api");
      const dbBefore = h.spawner.last("db");
      h.probes.fail("api", 3); // unhealthy: the process is still alive
      await h.settle();
      const scheduled = h.sink.healing("api").filter((e) => e.action === "restart-scheduled").at(-1)!;
      expect(scheduled.attempt).toBe(attempt);
      tiers.push(scheduled.tier!);
      if (attempt <= 3) expect(before.signals).toEqual(["SIGKILL"]);
      else expect(before.signals).toEqual(["SIGTERM"]);
      if (attempt >= 6) {
        // the dependency is restarted first and the service waits for it to be ready
        expect(dbBefore.signals).toEqual(["SIGTERM"]);
        expect(h.state("db")).toBe("starting");
        expect(h.spawner.last("api")).toBe(before);
        h.probes.pass("db");
        await h.settle();
      } else expect(h.spawner.last("db")).toBe(dbBefore);
      expect(h.spawner.last("api")).not.toBe(before);
      expect(h.state("api")).toBe("starting");
      h.probes.pass("api");
    }
    expect(tiers).toEqual(["immediate", "immediate", "immediate", "graceful", "graceful", "dependencies", "dependencies"]);
    const spawnsBefore = h.spawner.children("api").length;
    h.probes.fail("api", 3);
    await h.settle();
    expect(h.state("api")).toBe("quarantined");
    expect(h.spawner.children("api")).toHaveLength(spawnsBefore);
    expect(h.spawner.last("api").running).toBe(false);
    const quarantined = h.sink.healing("api").at(-1)!;
    expect(quarantined).toMatchObject({ action: "quarantined", attempt: 8, tier: "quarantine" });
    const escalations = h.sink.healing("api").filter((e) => e.action === "escalated").map((e) => e.tier);
    expect(escalations).toEqual(["graceful", "dependencies"]);
    expect(h.supervisor.service("api").restarts).toBe(7);
    await h.clock.advance(3_600_000);
    expect(h.spawner.children("api")).toHaveLength(spawnsBefore); // no automatic restarts any more
  });

  test("a crash is noticed from the exit itself and respawned with no clock time passing", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    const first = h.spawner.last("api");
    first.exit("SIGSEGV");
    await h.settle();
    expect(h.spawner.children("api")).toHaveLength(2);
    expect(h.sink.healing("api")[0]).toMatchObject({ action: "detected", reason: "killed by SIGSEGV" });
    expect(h.sink.states("api")).toEqual(["starting", "healthy", "backoff", "starting"]);
    h.probes.pass("api");
    expect(h.sink.healing("api").at(-1)).toMatchObject({ action: "recovered" });
  });

  test("attempt n waits backoff[n-1] plus jitter", async () => {
    const h = createHarness([service("api", { restart: { policy: "on-failure", backoffMs: [1000, 5000], resetAfterMs: 300_000 } })], {
      ...noBreaker,
      overrides: { random: () => 0.5 },
    });
    await launchHealthy(h, "api");
    h.spawner.last("api").exit(1);
    await h.clock.advance(1049);
    expect(h.spawner.children("api")).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.spawner.children("api")).toHaveLength(2);
    h.spawner.last("api").exit(1);
    await h.clock.advance(5249);
    expect(h.spawner.children("api")).toHaveLength(2);
    await h.clock.advance(1);
    expect(h.spawner.children("api")).toHaveLength(3);
    expect(h.sink.healing("api").filter((e) => e.action === "restart-scheduled").map((e) => e.delayMs)).toEqual([1050, 5250]);
  });

  test("staying healthy for resetAfter resets the attempt count", async () => {
    const h = createHarness([service("api", { restart: { policy: "on-failure", backoffMs: [0], resetAfterMs: 60_000 } })], noBreaker);
    await launchHealthy(h, "api");
    for (let i = 0; i < 3; i++) {
      h.spawner.last("api").exit(1);
      await h.settle();
      h.probes.pass("api");
    }
    expect(h.supervisor.service("api").attempt).toBe(3);
    await h.clock.advance(60_000);
    expect(h.supervisor.service("api").attempt).toBe(0);
    h.spawner.last("api").exit(1);
    await h.settle();
    expect(h.sink.healing("api").at(-1)).toMatchObject({ action: "restarted", attempt: 1, tier: "immediate" });
  });
});

describe("restart policies", () => {
  test("never: the failure is recorded and nothing restarts", async () => {
    const h = createHarness([service("api", { restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } })]);
    await launchHealthy(h, "api");
    h.spawner.last("api").exit(2);
    await h.settle();
    expect(h.state("api")).toBe("failed");
    expect(h.spawner.children("api")).toHaveLength(1);
    expect(h.sink.healing("api").map((e) => e.action)).toEqual(["detected", "gave-up"]);
  });

  test("never: becoming unhealthy also gives up, and the process is killed", async () => {
    const h = createHarness([service("api", { restart: { policy: "never", backoffMs: [0], resetAfterMs: 1 } })]);
    await launchHealthy(h, "api");
    h.probes.fail("api", 3);
    expect(h.state("api")).toBe("failed");
    expect(h.spawner.last("api").signals).toEqual(["SIGKILL"]);
  });

  test("on-failure: a one-shot that exits 0 is completed, not restarted", async () => {
    const h = createHarness([service("seed", { health: NO_PROBE })]);
    void h.supervisor.start();
    h.spawner.last("seed").exit(0);
    await h.settle();
    expect(h.state("seed")).toBe("completed");
    expect(h.spawner.children("seed")).toHaveLength(1);
    expect(h.sink.statuses().at(-1)?.state).toBe("ready");
  });

  test("on-failure: a probed service that exits 0 completed and is not restarted", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    await h.clock.advance(1000); // a one-shot that ran its course (a quicker exit is judged for daemonizing: daemon.test.ts)
    h.spawner.last("api").exit(0);
    await h.settle();
    expect(h.state("api")).toBe("completed");
    expect(h.spawner.children("api")).toHaveLength(1);
  });

  test("always: clean exits are restarted too", async () => {
    const h = createHarness([service("tick", { health: NO_PROBE, restart: { policy: "always", backoffMs: [0], resetAfterMs: 1 } })]);
    void h.supervisor.start();
    h.spawner.last("tick").exit(0);
    await h.settle();
    expect(h.state("tick")).toBe("starting");
    expect(h.spawner.children("tick")).toHaveLength(2);
  });

  test("a spawn error is a failure like any other", async () => {
    const h = createHarness([service("api")]);
    h.spawner.failNextSpawn("api", "command not found: bunx");
    void h.supervisor.start();
    await h.settle();
    expect(h.sink.healing("api")[0]!.reason).toBe("could not start: command not found: bunx");
    expect(h.spawner.children("api")).toHaveLength(2);
    expect(h.state("api")).toBe("starting");
  });
});

describe("health events", () => {
  test("emitted only when the status changes; history keeps every result", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    h.probes.pass("api");
    h.probes.pass("api");
    h.probes.fail("api");
    h.probes.fail("api");
    h.probes.pass("api");
    expect(h.sink.health("api").map((e) => e.status)).toEqual(["healthy", "unhealthy", "healthy"]);
    expect(h.supervisor.service("api").healthHistory).toHaveLength(6);
    expect(h.state("api")).toBe("healthy"); // two failures are below the threshold of 3
  });
});
