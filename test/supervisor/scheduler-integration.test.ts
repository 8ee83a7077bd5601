import { describe, expect, test } from "bun:test";
import type { Probe } from "../../src/health/probe";
import { ProbeScheduler } from "../../src/health/scheduler";
import { FakeClock } from "../../src/lib/clock";
import { FakeSpawner } from "../../src/process/fake-spawner";
import type { ProbeRunner } from "../../src/supervisor/options";
import { Supervisor } from "../../src/supervisor/supervisor";
import { makeConfig } from "../graph/make-service";
import { MemorySink, service } from "./harness";

describe("with the real ProbeScheduler", () => {
  test("probes drive ready, unhealthy and the restart", async () => {
    const clock = new FakeClock();
    const spawner = new FakeSpawner({ clock });
    const sink = new MemorySink(clock);
    let up = false;
    const probe: Probe = { check: async () => ({ ok: up, latencyMs: 1, endpoint: "/health", checkedAt: clock.now(), ...(up ? {} : { error: "ECONNREFUSED" }) }) };
    const scheduler: ProbeRunner = new ProbeScheduler(clock);
    const config = makeConfig([service("api", { health: { check: { kind: "tcp", port: 1, host: "h" }, intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 } })]);
    const supervisor = new Supervisor({ config, spawner, clock, sink, createProbe: () => probe, probeRunner: scheduler, random: () => 0 });
    let outcome: string | undefined;
    void supervisor.start().then((r) => (outcome = r.outcome));
    await clock.advance(500);
    expect(supervisor.service("api").state).toBe("starting");
    up = true;
    await clock.advance(200);
    expect(supervisor.service("api").state).toBe("healthy");
    expect(outcome).toBe("ready");
    up = false;
    await clock.advance(2_000);
    expect(supervisor.service("api").state).toBe("healthy"); // one steady probe failed so far: below the threshold of 3
    await clock.advance(2_000);
    expect(sink.states("api")).toEqual(["starting", "healthy", "unhealthy", "backoff", "starting"]);
    expect(spawner.children("api")).toHaveLength(2);
    expect(spawner.children("api")[0]!.signals).toEqual(["SIGKILL"]);
  });

  test("the default probe runner is a ProbeScheduler on the given clock", async () => {
    const clock = new FakeClock();
    const spawner = new FakeSpawner({ clock });
    const probe: Probe = { check: async () => ({ ok: true, latencyMs: 1, checkedAt: clock.now() }) };
    const supervisor = new Supervisor({ config: makeConfig([service("api")]), spawner, clock, sink: new MemorySink(clock), createProbe: () => probe });
    void supervisor.start();
    await clock.advance(100);
    expect(supervisor.service("api").state).toBe("healthy");
    expect(supervisor.service("api").health).toMatchObject({ status: "healthy", latencyMs: 1 });
  });
});
