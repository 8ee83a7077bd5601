/** The port guard (SPEC §13) with a fake host: who holds a port is what the test says. */
import { describe, expect, test } from "bun:test";
import { FakeHost } from "../../src/process/fake-host";
import { OWN_RECHECK_MS, OWN_WAIT_MS, RECHECK_MS, UNSEEN_WAIT_MS } from "../../src/supervisor/port-guard";
import { NO_PROBE, createHarness, service, type HarnessOptions } from "./harness";
import type { ServiceConfig } from "../../src/contract/config";

function guarded(services: ServiceConfig[], options: HarnessOptions = {}) {
  const host = new FakeHost();
  const h = createHarness(services, { ...options, overrides: { host, ...options.overrides } });
  return { ...h, host };
}

const FOREIGN = "port 5432 is held by pid 4121 (postgres), not started by this orchestrator";

describe("port guard", () => {
  test("a port someone else holds: blocked with the holder named, nothing spawned, started once the port is free", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    h.host.hold(5432);
    void h.supervisor.start();
    await h.settle();
    expect(h.state("db")).toBe("blocked");
    expect(h.supervisor.service("db").lastReason).toBe(FOREIGN);
    expect(h.sink.events.find((e) => e.type === "service" && e.payload.to === "blocked")?.payload).toMatchObject({ name: "db", reason: FOREIGN });
    expect(h.spawner.children("db")).toHaveLength(0);
    expect(h.supervisor.system().reasons).toEqual([`db is blocked: ${FOREIGN}`]);

    await h.clock.advance(RECHECK_MS * 5);
    expect(h.spawner.children("db")).toHaveLength(0);
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS);
    expect(h.state("db")).toBe("starting");
    expect(h.spawner.children("db")).toHaveLength(1);
    expect(h.sink.states("db")).toEqual(["blocked", "pending", "starting"]);
    h.probes.pass("db");
    expect(h.state("db")).toBe("healthy");
    expect(h.supervisor.service("db").restarts).toBe(0);
  });

  test("nothing is looked up while no start waits: one lookup per spawn, none at idle", async () => {
    const h = guarded([service("db", { port: 5432 }), service("api", { port: 8080 }), service("worker", { health: NO_PROBE })]);
    void h.supervisor.start();
    h.probes.pass("db", "api");
    await h.clock.advance(1000);
    expect(h.host.portLookups.sort()).toEqual([5432, 8080]);
    await h.clock.advance(600_000);
    expect(h.host.portLookups).toHaveLength(2);
  });

  test("a restart whose port is taken spends no attempt while it waits, and says restarted once it starts", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    void h.supervisor.start();
    h.probes.pass("db");
    await h.settle();
    h.host.hold(5432);
    h.spawner.last("db").exit(1);
    await h.settle();
    expect(h.state("db")).toBe("blocked");
    await h.clock.advance(RECHECK_MS * 30);
    expect(h.supervisor.service("db").attempt).toBe(1);
    expect(h.sink.healing("db").map((e) => e.action)).toEqual(["detected", "restart-scheduled"]);
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS);
    expect(h.state("db")).toBe("starting");
    expect(h.sink.healing("db").map((e) => `${e.action}:${e.attempt}`)).toEqual(["detected:0", "restart-scheduled:1", "restarted:1"]);
    expect(h.supervisor.service("db").restarts).toBe(1);
    h.probes.pass("db");
    h.spawner.last("db").exit(1);
    await h.settle();
    expect(h.sink.healing("db").filter((e) => e.action === "restart-scheduled").map((e) => e.attempt)).toEqual([1, 2]);
  });

  test("an earlier process of the same service holding the port is killed and waited for, without blocking", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    void h.supervisor.start();
    h.probes.pass("db");
    await h.settle();
    // the old process was SIGKILLed but still listens for a moment (it is dying)
    h.host.hold(5432, { pid: 1000, comm: "postgres", service: "db" });
    h.spawner.last("db").exit(1);
    await h.settle();
    expect(h.host.killed).toEqual([1000]);
    expect(h.state("db")).toBe("backoff");
    expect(h.spawner.children("db")).toHaveLength(1);
    await h.clock.advance(OWN_RECHECK_MS);
    expect(h.state("db")).toBe("starting");
    expect(h.spawner.children("db")).toHaveLength(2);
    expect(h.sink.states("db")).not.toContain("blocked");
  });

  test("an earlier process that will not die blocks the start after OWN_WAIT_MS, and says so", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    void h.supervisor.start();
    h.probes.pass("db");
    await h.settle();
    const stubborn = { pid: 1000, comm: "postgres", service: "db" };
    h.host.hold(5432, stubborn);
    h.host.killLeftover = (holder) => (h.host.killed.push(holder.pid!), true); // sent, but it stays
    h.spawner.last("db").exit(1);
    await h.settle();
    await h.clock.advance(OWN_WAIT_MS - OWN_RECHECK_MS);
    expect(h.state("db")).toBe("backoff");
    await h.clock.advance(OWN_RECHECK_MS);
    expect(h.state("db")).toBe("blocked");
    expect(h.supervisor.service("db").lastReason).toBe("port 5432 is still held by pid 1000 (postgres), an earlier process of db that did not exit when killed");
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS);
    expect(h.state("db")).toBe("starting");
  });

  test("a port held by another service of this orchestrator names that service", async () => {
    const h = guarded([service("api", { port: 8080 })]);
    h.host.hold(8080, { pid: 2000, comm: "bun", service: "web" });
    void h.supervisor.start();
    await h.settle();
    expect(h.supervisor.service("api").lastReason).toBe("port 8080 is held by pid 2000 (bun) of service web, started by this orchestrator");
    expect(h.host.killed).toEqual([]);
  });

  test("a holder that cannot be seen is still a holder, once it outlasts a socket being torn down", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    h.host.hold(5432, { pid: null, comm: null });
    void h.supervisor.start();
    await h.settle();
    expect(h.state("db")).toBe("pending"); // a killed listener's socket lingers a moment with no owner: no state change yet
    await h.clock.advance(UNSEEN_WAIT_MS + OWN_RECHECK_MS);
    expect(h.state("db")).toBe("blocked");
    expect(h.host.killed).toEqual([]);
    expect(h.supervisor.service("db").lastReason).toBe(
      "port 5432 is held by a process this orchestrator cannot see (another user's, or in another namespace), not started by this orchestrator",
    );
  });

  test("an ownerless socket that goes within UNSEEN_WAIT_MS: the start just waits for it, no blocked state", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    void h.supervisor.start();
    h.probes.pass("db");
    await h.settle();
    h.host.hold(5432, { pid: null, comm: null });
    h.spawner.last("db").exit(1);
    await h.settle();
    await h.clock.advance(OWN_RECHECK_MS * 2);
    h.host.free(5432);
    await h.clock.advance(2000);
    expect(h.sink.states("db")).not.toContain("blocked");
    expect(h.spawner.children("db")).toHaveLength(2);
  });

  test("stopping a blocked service drops its waiting start", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    h.host.hold(5432);
    void h.supervisor.start();
    await h.settle();
    await h.supervisor.stop("db").done;
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS * 3);
    expect(h.state("db")).toBe("stopped");
    expect(h.spawner.children("db")).toHaveLength(0);
  });

  test("a manual start of a stopped service whose port is taken waits blocked, then starts", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    void h.supervisor.start();
    h.probes.pass("db");
    await h.settle();
    await h.supervisor.stop("db").done;
    h.host.hold(5432);
    h.supervisor.start("db");
    expect(h.state("db")).toBe("blocked");
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS);
    expect(h.state("db")).toBe("starting");
  });

  test("dependents of a blocked service are blocked on it and start once it is ready", async () => {
    const h = guarded([service("db", { port: 5432 }), service("api", { phase: 2, dependsOn: ["db"] })]);
    h.host.hold(5432);
    void h.supervisor.start();
    await h.settle();
    expect(h.state("api")).toBe("blocked");
    expect(h.supervisor.service("api").lastReason).toBe("dependency db is blocked");
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS);
    h.probes.pass("db");
    await h.settle();
    expect(h.state("api")).toBe("starting");
  });

  test("a critical service blocked past its startupTimeout aborts the launch, with the holder in the reason", async () => {
    const h = guarded([service("db", { phase: 0, port: 5432, startupTimeoutMs: 5000 })]);
    h.host.hold(5432);
    const launch = h.supervisor.start();
    await h.clock.advance(5000);
    const result = await launch;
    expect(result.outcome).toBe("aborted");
    expect(result.reasons[0]).toContain(FOREIGN);
  });

  test("shutdown drops every waiting start and its timer", async () => {
    const h = guarded([service("db", { port: 5432 })]);
    h.host.hold(5432);
    void h.supervisor.start();
    await h.settle();
    await h.supervisor.shutdown();
    const lookups = h.host.portLookups.length;
    h.host.free(5432);
    await h.clock.advance(RECHECK_MS * 5);
    expect(h.host.portLookups).toHaveLength(lookups);
    expect(h.spawner.children("db")).toHaveLength(0);
  });
});
