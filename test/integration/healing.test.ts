/** SPEC §6–§8 on real processes: crashes, exit policies, stop escalation, hangs, breaker, quarantine. */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFleetRun, parseForkLines, transitionsOf, type FleetRun } from "../helpers/fleet-harness";
import { fixtureCommand, freePort, isGone, waitFor, waitGone } from "../helpers/processes";

let run: FleetRun | null = null;
afterEach(async () => {
  await run?.cleanup();
  run = null;
});

const noProbe = { health: false } as const;

describe("crashes and exit policies", () => {
  test("a crash is restarted with a new pid, healthy again, and every step is in SQLite", async () => {
    run = createFleetRun({ crashy: { fixture: "crash-after.ts", env: { CRASH_AFTER_MS: 1800 }, ...noProbe } });
    expect((await run.fleet.start()).outcome).toBe("ready");
    const firstPid = run.pid("crashy")!;
    expect(firstPid).toBeGreaterThan(0);

    await run.waitEvent((e) => e.type === "healing" && e.payload.service === "crashy" && e.payload.action === "recovered", 10_000, "recovered");
    const snapshot = run.fleet.supervisor.service("crashy");
    expect(snapshot.restarts).toBeGreaterThanOrEqual(1);
    expect(run.events.some((e) => e.type === "service" && e.payload.name === "crashy" && e.payload.to === "healthy" && e.payload.pid !== firstPid)).toBe(true);
    expect(isGone(firstPid)).toBe(true);

    const actions = run.fleet.store.healing({ service: "crashy" }).reverse();
    const firstCycle = actions.slice(0, 4);
    expect(firstCycle.map((h) => h.action)).toEqual(["detected", "restart-scheduled", "restarted", "recovered"]);
    expect(firstCycle[0]!.reason).toBe("exited with code 1");
    expect(firstCycle[1]).toMatchObject({ attempt: 1, tier: "immediate" });
    expect(firstCycle[2]).toMatchObject({ attempt: 1, tier: "immediate" });
    expect(transitionsOf(run.events, "crashy").slice(0, 5)).toEqual([
      "pending->starting", "starting->healthy", "healthy->backoff", "backoff->starting", "starting->healthy",
    ]);
  }, 20_000);

  test("policy never: a failing exit leaves the service failed, no restart", async () => {
    run = createFleetRun({ once: { fixture: "exit-now.ts", env: { EXIT_CODE: 3 }, restart: { policy: "never" }, ...noProbe } });
    const result = await run.fleet.start();
    expect(result.outcome).toBe("degraded");
    expect(run.state("once")).toBe("failed");
    expect(run.fleet.supervisor.service("once")).toMatchObject({ restarts: 0, lastReason: "exited with code 3" });
    expect(run.fleet.store.healing({ service: "once" }).map((h) => h.action).reverse()).toEqual(["detected", "gave-up"]);
  });

  test("exit code 0 under on-failure: the one-shot is completed and the system ready", async () => {
    run = createFleetRun({ once: { fixture: "exit-now.ts", env: { EXIT_CODE: 0 }, restart: { policy: "on-failure" }, ...noProbe } });
    const result = await run.fleet.start();
    expect(result.outcome).toBe("ready");
    expect(run.state("once")).toBe("completed");
    expect(run.fleet.supervisor.service("once").restarts).toBe(0);
    expect(run.fleet.store.healing({ service: "once" })).toEqual([]);
  });
});

describe("stopping", () => {
  test("a service that ignores SIGTERM is SIGKILLed after shutdown.timeout", async () => {
    run = createFleetRun({ stubborn: { fixture: "ignore-sigterm.ts", shutdown: { timeout: "500ms" }, ...noProbe } });
    await run.fleet.start();
    await waitFor(() => run!.lines("stubborn").some((l) => l.startsWith("ready ")), 5000, "the SIGTERM handler to be in");
    const pid = run.pid("stubborn")!;
    await run.fleet.supervisor.stop("stubborn").done;
    expect(run.state("stubborn")).toBe("stopped");
    // It was asked first (and ignored it), then killed.
    await waitFor(() => run!.lines("stubborn").includes("ignore-sigterm: got SIGTERM, ignoring it"), 2000, "the SIGTERM line");
    expect(await waitGone([pid], 3000)).toEqual([]);
    expect(transitionsOf(run.events, "stubborn").slice(-2)).toEqual(["healthy->stopping", "stopping->stopped"]);
  });

  test("fork-grandchildren: stopping the service leaves no grandchild", async () => {
    run = createFleetRun({ forker: { fixture: "fork-grandchildren.ts", env: { GRANDCHILDREN: 3 }, ...noProbe } });
    await run.fleet.start();
    const grandchildren = await readGrandchildren(run, "forker");
    expect(grandchildren).toHaveLength(3);
    expect(grandchildren.every((pid) => !isGone(pid))).toBe(true);
    await run.fleet.supervisor.stop("forker").done;
    expect(await waitGone([...grandchildren, ...run.pids], 5000)).toEqual([]);
  });

  test("fork-grandchildren: when the leader dies (exit or kill -9) its grandchildren die too", async () => {
    run = createFleetRun({
      leaver: { fixture: "fork-grandchildren.ts", env: { EXIT_AFTER_MS: 1300 }, restart: { policy: "never" }, ...noProbe },
      victim: { fixture: "fork-grandchildren.ts", restart: { policy: "never" }, ...noProbe },
    });
    await run.fleet.start();
    const left = await readGrandchildren(run, "leaver");
    const killed = await readGrandchildren(run, "victim");
    process.kill(run.pid("victim")!, "SIGKILL");
    await run.waitState("leaver", "completed");
    await run.waitState("victim", "failed");
    expect(run.fleet.supervisor.service("victim").lastReason).toBe("killed by SIGKILL");
    expect(await waitGone([...left, ...killed, ...run.pids], 5000)).toEqual([]);
  });
});

describe("health-driven healing", () => {
  test("a hung /health makes the service unhealthy after failureThreshold, then it is restarted", async () => {
    const port = freePort();
    run = createFleetRun({
      hanger: { fixture: "hang-health.ts", port, health: { http: "/health", interval: "200ms", timeout: "300ms", failureThreshold: 2 } },
    });
    expect((await run.fleet.start()).outcome).toBe("ready");
    const pid = run.pid("hanger")!;
    await fetch(`http://127.0.0.1:${port}/hang`, { method: "POST" });

    await run.waitEvent((e) => e.type === "service" && e.payload.name === "hanger" && e.payload.from === "unhealthy" && e.payload.to === "backoff", 10_000, "unhealthy then backoff");
    await run.waitEvent((e) => e.type === "healing" && e.payload.service === "hanger" && e.payload.action === "recovered", 10_000, "recovered");
    expect(run.state("hanger")).toBe("healthy");
    expect(run.pid("hanger")).not.toBe(pid);
    expect(await waitGone([pid], 3000)).toEqual([]);
    const detected = run.fleet.store.healing({ service: "hanger" }).find((h) => h.action === "detected")!;
    expect(detected.reason).toStartWith("unhealthy: 2 consecutive probe failures");
    expect(transitionsOf(run.events, "hanger").slice(0, 5)).toEqual([
      "pending->starting", "starting->healthy", "healthy->unhealthy", "unhealthy->backoff", "backoff->starting",
    ]);
  }, 20_000);
});

describe("circuit breaker and quarantine", () => {
  test("a dependency crashing repeatedly opens its breaker and its dependent is degraded", async () => {
    run = createFleetRun(
      {
        flaky: { fixture: "crash-after.ts", env: { CRASH_AFTER_MS: 700 }, health: { exec: "true", interval: "200ms" } },
        consumer: { fixture: "healthy.ts", port: freePort(), dependsOn: ["flaky"] },
      },
      { circuitBreaker: { failureThreshold: 3, window: "60s", cooldown: "60s" } },
    );
    await run.fleet.start();
    await run.waitEvent((e) => e.type === "healing" && e.payload.service === "flaky" && e.payload.action === "breaker-opened", 15_000, "breaker opened");
    await run.waitState("consumer", "degraded", 5000);
    const flaky = run.fleet.supervisor.service("flaky");
    expect(flaky.breaker.state).toBe("open");
    expect(flaky.state).toBe("backoff"); // held until the cooldown ends
    expect(run.fleet.supervisor.service("consumer").lastReason).toContain("flaky's circuit breaker is open");
    expect(run.fleet.store.healing({ service: "flaky" }).some((h) => h.action === "breaker-opened")).toBe(true);
    expect(run.fleet.supervisor.system().state).toBe("degraded");
  }, 20_000);

  test("after the cooldown a trial restart closes the breaker and the dependent recovers", async () => {
    // The dependency crashes at start while ./crash exists, and serves /health otherwise.
    const [bun, healthy] = fixtureCommand("healthy.ts");
    run = createFleetRun(
      {
        upstream: { command: `test -f crash && exit 1; exec '${bun}' '${healthy}'`, port: freePort() },
        downstream: { fixture: "healthy.ts", port: freePort(), dependsOn: ["upstream"] },
      },
      { circuitBreaker: { failureThreshold: 3, window: "60s", cooldown: "1500ms" } },
    );
    expect((await run.fleet.start()).outcome).toBe("ready");
    const downstreamPid = run.pid("downstream");
    writeFileSync(join(run.dir, "crash"), "");
    process.kill(run.pid("upstream")!, "SIGKILL");
    await run.waitState("downstream", "degraded", 10_000);
    expect(run.fleet.supervisor.service("upstream").breaker.state).toBe("open");

    rmSync(join(run.dir, "crash"));
    await run.waitEvent((e) => e.type === "healing" && e.payload.service === "upstream" && e.payload.action === "breaker-closed", 15_000, "breaker closed");
    await run.waitState("upstream", "healthy", 10_000);
    await run.waitState("downstream", "healthy", 10_000);
    const actions = run.fleet.store.healing({ service: "upstream" }).map((h) => h.action).reverse();
    const opened = actions.indexOf("breaker-opened");
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf("breaker-half-open")).toBeGreaterThan(opened);
    expect(actions.indexOf("breaker-closed")).toBeGreaterThan(actions.indexOf("breaker-half-open"));
    // The degraded dependent spent no restart attempts: it was re-verified, not restarted.
    expect(run.fleet.supervisor.service("downstream").restarts).toBe(0);
    expect(run.pid("downstream")).toBe(downstreamPid);
  }, 30_000);

  test("a manual restart lifts quarantine", async () => {
    // Fails until the operator creates ./ok, then runs a healthy server: the usual "fix it, restart it".
    const port = freePort();
    const [bun, healthy] = fixtureCommand("healthy.ts");
    run = createFleetRun(
      { fragile: { command: `test -f ok || exit 1; exec '${bun}' '${healthy}'`, port, health: { interval: "200ms" }, restart: { backoff: ["0ms"] } } },
      { circuitBreaker: { failureThreshold: 100 } },
    );
    await run.fleet.start();
    await run.waitState("fragile", "quarantined", 20_000);
    expect(run.fleet.supervisor.service("fragile").restarts).toBe(7);
    expect(run.fleet.store.healing({ service: "fragile", limit: 1 })[0]!.action).toBe("quarantined");

    writeFileSync(join(run.dir, "ok"), "");
    const action = run.fleet.supervisor.restart("fragile");
    expect(action.from).toBe("quarantined");
    await action.done;
    await run.waitState("fragile", "healthy", 10_000);
    const snapshot = run.fleet.supervisor.service("fragile");
    expect(snapshot.attempt).toBe(0);
    expect(snapshot.health.endpoint).toBe("/health");
    expect(run.fleet.store.healing({ service: "fragile", limit: 1 })[0]!.action).toBe("manual-restart");
    expect(transitionsOf(run.events, "fragile").slice(-2)).toEqual(["quarantined->starting", "starting->healthy"]);
  }, 30_000);
});

/** The grandchildren `name` printed, also handed to the run's cleanup (they are ours to kill if the test fails). */
async function readGrandchildren(run: FleetRun, name: string): Promise<number[]> {
  await waitFor(() => parseForkLines(run.lines(name)).length > 0, 5000, `${name} to print its grandchildren`);
  const { grandchildren } = parseForkLines(run.lines(name))[0]!;
  for (const pid of grandchildren) run.pids.add(pid);
  return grandchildren;
}
