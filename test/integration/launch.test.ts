/** SPEC §5 on real processes: phases, dependency gating, endpoint fallback, startup timeouts, aborts. */
import { afterEach, describe, expect, test } from "bun:test";
import type { OrchestratorEvent } from "../helpers/contract";
import { createFleetRun, indexOfEvent, transitionsOf, type FleetRun } from "../helpers/fleet-harness";
import { freePort, waitGone } from "../helpers/processes";

let run: FleetRun | null = null;
afterEach(async () => {
  await run?.cleanup();
  run = null;
});

const became = (name: string, to: string) => (e: OrchestratorEvent) => e.type === "service" && e.payload.name === name && e.payload.to === to;

describe("phased launch on real processes", () => {
  test("phase 0 runs serially, dependents wait for healthy deps, /status is found through the endpoint list", async () => {
    run = createFleetRun({
      db: { fixture: "healthy.ts", port: freePort(), phase: "critical" },
      queue: { fixture: "healthy.ts", port: freePort(), phase: "critical" },
      cache: { fixture: "healthy.ts", port: freePort(), phase: "critical", dependsOn: ["db"] },
      api: { fixture: "status-only.ts", port: freePort(), dependsOn: ["db", "cache"] },
      web: { fixture: "healthy.ts", port: freePort(), dependsOn: ["api"] },
      worker: { fixture: "healthy.ts", port: freePort() },
    });
    const result = await run.fleet.start();
    expect(result).toEqual({ outcome: "ready", reasons: [] });
    const { events } = run;

    // Phase 0 serial: never two critical services starting at once.
    const critical = new Set(["db", "queue", "cache"]);
    let startingNow = 0;
    let maxStarting = 0;
    for (const e of events) {
      if (e.type !== "service" || !critical.has(e.payload.name)) continue;
      if (e.payload.to === "starting") maxStarting = Math.max(maxStarting, ++startingNow);
      if (e.payload.from === "starting") startingNow--;
    }
    expect(maxStarting).toBe(1);
    expect(indexOfEvent(events, became("cache", "starting"))).toBeGreaterThan(indexOfEvent(events, became("db", "healthy")));

    // Later phases start only after every critical service is healthy, each after its own deps.
    const lastCriticalHealthy = Math.max(...[...critical].map((name) => indexOfEvent(events, became(name, "healthy"))));
    for (const name of ["api", "web", "worker"]) expect(indexOfEvent(events, became(name, "starting"))).toBeGreaterThan(lastCriticalHealthy);
    expect(indexOfEvent(events, became("api", "starting"))).toBeGreaterThan(indexOfEvent(events, became("cache", "healthy")));
    expect(indexOfEvent(events, became("web", "starting"))).toBeGreaterThan(indexOfEvent(events, became("api", "healthy")));

    // The fallback list found /status and remembers it.
    const api = run.fleet.supervisor.service("api");
    expect(api.state).toBe("healthy");
    expect(api.health.endpoint).toBe("/status");
    expect(events.some((e) => e.type === "health" && e.payload.name === "api" && e.payload.ok && e.payload.endpoint === "/status")).toBe(true);
    // Later probes go straight to the remembered endpoint, and still pass.
    const checked = api.health.checkedAt!;
    await run.waitEvent(() => (run!.fleet.supervisor.service("api").health.checkedAt ?? 0) > checked, 5000, "another api probe");
    expect(run.fleet.supervisor.service("api").health).toMatchObject({ status: "healthy", endpoint: "/status" });
    expect(run.fleet.supervisor.system().state).toBe("ready");
    expect(events.some((e) => e.type === "status" && e.payload.state === "ready")).toBe(true);
  });

  test("a slow starter becomes healthy within its startupTimeout", async () => {
    run = createFleetRun({
      slow: { fixture: "slow-start.ts", port: freePort(), env: { START_DELAY_MS: 800 }, startupTimeout: "10s" },
    });
    const result = await run.fleet.start();
    expect(result.outcome).toBe("ready");
    expect(transitionsOf(run.events, "slow")).toEqual(["pending->starting", "starting->healthy"]);
    expect(run.fleet.supervisor.service("slow").restarts).toBe(0);
  });

  test("a slow starter with a shorter startupTimeout is a failed start", async () => {
    run = createFleetRun({
      slow: { fixture: "slow-start.ts", port: freePort(), env: { START_DELAY_MS: 5000 }, startupTimeout: "400ms", restart: { policy: "never" } },
    });
    const result = await run.fleet.start();
    expect(result.outcome).toBe("degraded");
    expect(run.state("slow")).toBe("failed");
    expect(run.fleet.supervisor.service("slow").lastReason).toBe("not ready within 400ms");
    const healing = run.fleet.store.healing({ service: "slow" }).map((h) => h.action);
    expect(healing).toContain("detected");
    expect(healing).toContain("gave-up");
    expect(run.pids.size).toBe(1);
    expect(await waitGone([...run.pids], 5000)).toEqual([]);
  });
});

describe("never-healthy services", () => {
  test("a non-critical one climbs the ladder on failed starts and its dependent stays blocked", async () => {
    run = createFleetRun({
      broken: {
        fixture: "never-healthy.ts",
        port: freePort(),
        health: { http: "/health", interval: "100ms", timeout: "300ms", failureThreshold: 1 },
        startupTimeout: "300ms",
        restart: { backoff: ["0ms"] },
      },
      frontend: { fixture: "healthy.ts", port: freePort(), dependsOn: ["broken"] },
      bystander: { fixture: "healthy.ts", port: freePort() },
    }, { circuitBreaker: { failureThreshold: 100 } }); // the breaker would hold restarts for its cooldown
    const result = await run.fleet.start();
    expect(result.outcome).toBe("degraded");
    expect(result.reasons.some((r) => r.startsWith("frontend is blocked"))).toBe(true);
    expect(run.state("bystander")).toBe("healthy");
    expect(run.state("frontend")).toBe("blocked");

    // Every attempt is a failed start; after 7 restarts it is quarantined.
    await run.waitState("broken", "quarantined", 20_000);
    const records = run.fleet.store.healing({ service: "broken", limit: 100 }).reverse();
    const detected = records.filter((h) => h.action === "detected");
    expect(detected.length).toBe(8);
    expect(detected.every((h) => h.reason === "not ready within 300ms")).toBe(true);
    expect(records.filter((h) => h.action === "restarted").map((h) => h.tier)).toEqual([
      "immediate", "immediate", "immediate", "graceful", "graceful", "dependencies", "dependencies",
    ]);
    expect(records.at(-1)!.action).toBe("quarantined");
    expect(run.fleet.supervisor.service("broken").restarts).toBe(7);

    // Its dependent never started.
    expect(run.state("frontend")).toBe("blocked");
    expect(transitionsOf(run.events, "frontend")).toEqual(["pending->blocked"]);
    expect(run.pid("broken")).toBeNull();
    expect(await waitGone([...run.pids].filter((pid) => pid !== run!.pid("bystander")), 5000)).toEqual([]);
  }, 30_000);

  test("a critical one aborts the launch and everything started is stopped", async () => {
    run = createFleetRun({
      store: { fixture: "healthy.ts", port: freePort(), phase: "critical" },
      vault: {
        fixture: "never-healthy.ts",
        port: freePort(),
        phase: "critical",
        dependsOn: ["store"],
        health: { http: "/health", interval: "100ms", timeout: "300ms", failureThreshold: 1 },
        startupTimeout: "800ms",
        restart: { backoff: ["0ms"] },
      },
      app: { fixture: "healthy.ts", port: freePort(), dependsOn: ["vault"] },
      other: { fixture: "healthy.ts", port: freePort() },
    });
    const result = await run.fleet.start();
    expect(result.outcome).toBe("aborted");
    expect(result.service).toBe("vault");
    expect(result.reasons[0]).toContain("critical service vault");

    // Nothing of a later phase was launched; what ran is stopped and its pids are gone.
    expect(transitionsOf(run.events, "app").some((t) => t.endsWith("->starting"))).toBe(false);
    expect(transitionsOf(run.events, "other").some((t) => t.endsWith("->starting"))).toBe(false);
    expect(run.state("store")).toBe("stopped");
    expect(["stopped", "failed"]).toContain(run.state("vault"));
    expect(run.fleet.supervisor.system().state).toBe("stopped");
    expect(run.pids.size).toBeGreaterThanOrEqual(2);
    expect(await waitGone([...run.pids], 5000)).toEqual([]);
    // store was stopped after vault (reverse order): its stop comes last.
    const stops = run.events.filter((e) => e.type === "service" && e.payload.to === "stopped").map((e) => (e as { payload: { name: string } }).payload.name);
    expect(stops.at(-1)).toBe("store");
  });
});
