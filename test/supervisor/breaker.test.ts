import { describe, expect, test } from "bun:test";
import { createHarness, service } from "./harness";

function fleet() {
  return createHarness([
    service("db"),
    service("slow"),
    service("api", { phase: 2, dependsOn: ["db"] }),
    service("late", { phase: 2, dependsOn: ["db", "slow"] }),
  ]);
}

async function tripDb(h: ReturnType<typeof fleet>) {
  void h.supervisor.start();
  h.probes.pass("db", "api");
  for (let i = 0; i < 3; i++) {
    h.spawner.last("db").exit(1);
    await h.settle();
  }
}

describe("circuit breaker and dependents", () => {
  test("an open breaker degrades dependents; their probe failures spend no restart attempts", async () => {
    const h = fleet();
    await tripDb(h);
    expect(h.supervisor.service("db").breaker).toEqual({ state: "open", failures: 3 });
    expect(h.sink.healing("db").some((e) => e.action === "breaker-opened")).toBe(true);
    expect(h.state("api")).toBe("degraded");
    h.probes.fail("api", 6);
    await h.settle();
    expect(h.state("api")).toBe("degraded");
    expect(h.spawner.children("api")).toHaveLength(1);
    expect(h.supervisor.service("api").attempt).toBe(0);
    expect(h.supervisor.service("api").health.status).toBe("unhealthy");
    expect(h.sink.healing("api")).toEqual([]);
  });

  test("nothing depending on a tripped service is launched", async () => {
    const h = fleet();
    await tripDb(h);
    h.probes.pass("slow");
    await h.clock.advance(29_000);
    expect(h.state("late")).toBe("degraded");
    expect(h.spawner.children("late")).toHaveLength(0);
  });

  test("after cooldown the next restart is a trial: ready closes the breaker and releases dependents", async () => {
    const h = fleet();
    await tripDb(h);
    h.probes.pass("slow");
    const dbSpawns = h.spawner.children("db").length;
    await h.clock.advance(29_999);
    expect(h.spawner.children("db")).toHaveLength(dbSpawns); // held back while open
    await h.clock.advance(1);
    expect(h.supervisor.service("db").breaker.state).toBe("half-open");
    expect(h.spawner.children("db")).toHaveLength(dbSpawns + 1);
    h.probes.pass("db");
    expect(h.supervisor.service("db").breaker.state).toBe("closed");
    expect(h.state("api")).toBe("starting"); // re-verified, same process
    expect(h.spawner.children("api")).toHaveLength(1);
    h.probes.pass("api");
    expect(h.state("api")).toBe("healthy");
    expect(h.state("late")).toBe("starting");
    const actions = h.sink.healing("db").map((e) => e.action).filter((a) => a.startsWith("breaker"));
    expect(actions).toEqual(["breaker-opened", "breaker-half-open", "breaker-closed"]);
  });

  test("a failed trial reopens the breaker and keeps dependents degraded", async () => {
    const h = fleet();
    await tripDb(h);
    await h.clock.advance(30_000);
    h.spawner.last("db").exit(1);
    await h.settle();
    expect(h.supervisor.service("db").breaker.state).toBe("open");
    expect(h.state("api")).toBe("degraded");
    const spawns = h.spawner.children("db").length;
    await h.clock.advance(29_999);
    expect(h.spawner.children("db")).toHaveLength(spawns);
  });

  test("a manual restart resets the breaker and lifts the degradation", async () => {
    const h = fleet();
    await tripDb(h);
    await h.supervisor.restart("db").done;
    expect(h.supervisor.service("db").breaker.state).toBe("closed");
    expect(h.state("api")).toBe("starting");
    h.probes.pass("db");
    expect(h.state("db")).toBe("healthy");
  });
});
