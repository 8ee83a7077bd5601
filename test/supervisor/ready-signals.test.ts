/** `ready` (SPEC §14) with fakes: what makes a service ready, what does not, and the watchdog. Time is the fake clock's. */
import { describe, expect, test } from "bun:test";
import type { ServiceConfig } from "../../src/contract/config";
import { readyProbeKey } from "../../src/supervisor/ready-signals";
import { NO_PROBE, PROBED, createHarness, service } from "./harness";

const db = (ready: ServiceConfig["ready"], over: Partial<ServiceConfig> = {}) => service("db", { ready, ...over });
const web = () => service("web", { dependsOn: ["db"], health: NO_PROBE });

async function start(services: ServiceConfig[]) {
  const h = createHarness(services, { configure: (c) => void (c.circuitBreaker.failureThreshold = 1000) });
  void h.supervisor.start();
  await h.settle();
  return h;
}

const detected = (h: Awaited<ReturnType<typeof start>>, name: string) => h.sink.healing(name).filter((e) => e.action === "detected").map((e) => e.reason);

describe("ready: { log }", () => {
  test("a matching line makes it ready and starts its dependent; other lines and passing health probes do not", async () => {
    const h = await start([db({ kind: "log", pattern: "ready to accept connections" }), web()]);
    const child = h.spawner.last("db");
    child.emit("stdout", "database system is starting up");
    expect(h.probes.active.has("db")).toBe(false); // the liveness probe waits for readiness
    await h.clock.advance(5000);
    expect(h.state("db")).toBe("starting");
    expect(h.spawner.children("web")).toHaveLength(0);
    child.emit("stderr", "LOG:  database system is ready to accept connections");
    await h.settle();
    expect(h.state("db")).toBe("healthy");
    expect(h.spawner.children("web")).toHaveLength(1);
    expect(h.supervisor.service("db").readiness.signal).toBe("log line matched: LOG:  database system is ready to accept connections");
    expect(h.probes.active.has("db")).toBe(true); // now health runs, as liveness
  });

  test("with health: false, running 1 s does not make it ready; startupTimeout still fails it", async () => {
    const h = await start([db({ kind: "log", pattern: "^up$" }, { health: NO_PROBE, startupTimeoutMs: 3000 })]);
    await h.clock.advance(2000);
    expect(h.state("db")).toBe("starting");
    await h.clock.advance(1000);
    expect(detected(h, "db")).toEqual(["not ready within 3000ms"]);
  });

  test("a liveness failure after readiness is a failure through the ladder", async () => {
    const h = await start([db({ kind: "log", pattern: "up" })]);
    h.spawner.last("db").emit("stdout", "up");
    await h.settle();
    h.probes.fail("db", 3);
    expect(detected(h, "db")[0]).toStartWith("unhealthy: 3 consecutive probe failures");
  });
});

describe("ready: { notify: systemd }", () => {
  test("READY=1 makes it ready; STATUS= and MAINPID= are kept; the spawn asked for a notify socket", async () => {
    const h = await start([db({ kind: "systemd" }), web()]);
    const child = h.spawner.last("db");
    expect(child.spec.notify).toEqual({ kind: "systemd" });
    child.notify("STATUS=recovering WAL");
    await h.clock.advance(10_000);
    expect(h.state("db")).toBe("starting");
    expect(h.spawner.children("web")).toHaveLength(0);
    child.notify("READY=1\nSTATUS=accepting connections\nMAINPID=4321");
    await h.settle();
    expect(h.state("db")).toBe("healthy");
    expect(h.spawner.children("web")).toHaveLength(1);
    const { readiness } = h.supervisor.service("db");
    expect([readiness.signal, readiness.status, readiness.mainPid]).toEqual(["READY=1", "accepting connections", 4321]);
  });

  test("EXTEND_TIMEOUT_USEC moves the startup deadline later, never earlier", async () => {
    const h = await start([db({ kind: "systemd" }, { startupTimeoutMs: 2000 })]);
    const child = h.spawner.last("db");
    await h.clock.advance(1500);
    child.notify("EXTEND_TIMEOUT_USEC=3000000"); // 3 s from now: until 4.5 s
    child.notify("EXTEND_TIMEOUT_USEC=100000"); // shorter: ignored
    await h.clock.advance(2900);
    expect(h.state("db")).toBe("starting");
    await h.clock.advance(100);
    expect(detected(h, "db")[0]).toStartWith("not ready within 2000ms (extended by the service to 4500ms)");
  });

  test("STOPPING=1 stops its liveness probe and is shown", async () => {
    const h = await start([db({ kind: "systemd" })]);
    const child = h.spawner.last("db");
    child.notify("READY=1");
    await h.settle();
    expect(h.probes.active.has("db")).toBe(true);
    child.notify("STOPPING=1");
    expect(h.probes.active.has("db")).toBe(false);
    expect(h.supervisor.service("db").readiness.stopping).toBe(true);
  });
});

describe("watchdog", () => {
  test("pings keep it running; no WATCHDOG=1 within the time is a failure with reason watchdog, restarted by the ladder", async () => {
    const h = await start([db({ kind: "systemd", watchdogMs: 1000 }, { health: NO_PROBE })]);
    const child = h.spawner.last("db");
    child.notify("READY=1");
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(900);
      child.notify("WATCHDOG=1");
    }
    expect(h.state("db")).toBe("healthy");
    await h.clock.advance(1000);
    expect(detected(h, "db")).toEqual(["watchdog: no WATCHDOG=1 within 1s"]);
    expect(h.sink.healing("db").map((e) => e.action)).toContain("restart-scheduled");
    await h.clock.advance(0);
    expect(h.spawner.children("db")).toHaveLength(2);
  });

  test("WATCHDOG=trigger fails it at once", async () => {
    const h = await start([db({ kind: "systemd", watchdogMs: 60_000 })]);
    h.spawner.last("db").notify("READY=1");
    h.spawner.last("db").notify("WATCHDOG=trigger");
    expect(detected(h, "db")).toEqual(["watchdog: the service asked for it (WATCHDOG=trigger)"]);
  });
});

describe("ready: { notify: fd } and readiness probes", () => {
  test("the newline on the fd (reported as READY=1) makes it ready", async () => {
    const h = await start([db({ kind: "fd", fd: 3 }), web()]);
    const child = h.spawner.last("db");
    expect(child.spec.notify).toEqual({ kind: "fd", fd: 3 });
    expect(h.state("db")).toBe("starting");
    child.notify("READY=1");
    await h.settle();
    expect([h.state("db"), h.supervisor.service("db").readiness.signal]).toEqual(["healthy", "newline on fd 3"]);
    expect(h.spawner.children("web")).toHaveLength(1);
  });

  test("a readiness probe decides readiness; its failures spend nothing; the health probe starts only after it passes", async () => {
    const check = { kind: "http" as const, path: "/ready", endpoints: ["/ready"], host: "127.0.0.1", port: 4000 };
    const h = await start([db({ kind: "probe", check, intervalMs: 1000, timeoutMs: 1000 }, { health: PROBED }), web()]);
    const key = readyProbeKey(h.supervisor.service("db"));
    expect([...h.probes.active.keys()]).toEqual([key]);
    h.probes.fail(key, 5);
    expect(h.state("db")).toBe("starting");
    expect(h.supervisor.service("db").readiness.lastCheck).toBe("HTTP 503");
    h.probes.pass(key);
    await h.settle();
    expect(h.state("db")).toBe("healthy");
    expect([...h.probes.active.keys()]).toEqual(["db"]);
    expect(h.spawner.children("web")).toHaveLength(1);
  });
});
