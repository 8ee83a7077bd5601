/** The dashboard's model updates: what each stream event changes, and how a slower API read is merged. */
import { describe, expect, test } from "bun:test";
import type { StoredEvent } from "../../src/dashboard/api/sequencer";
import { applyEvent, mergeServices, type Model } from "../../src/dashboard/lib/apply-event";
import type { SystemStatus } from "../helpers/contract";
import { summary } from "../helpers/fake-data";
import { FakePort } from "../helpers/fake-port";

const status: SystemStatus = new FakePort().status();

function model(): Model {
  return {
    status,
    services: [summary("db", { pid: 100, uptimeMs: 5000 }), summary("api", { pid: 200, lastReason: "manual restart" })],
    touched: {},
  };
}

const at = <T extends StoredEvent["type"]>(seq: number, type: T, payload: Extract<StoredEvent, { type: T }>["payload"]) => ({ seq, ts: 1000 + seq, type, payload }) as StoredEvent;

describe("applyEvent", () => {
  test("a service event sets the state and pid, stamps the service with the seq and leaves the others alone", () => {
    const before = model();
    const after = applyEvent(before, at(7, "service", { name: "db", from: "healthy", to: "starting", pid: 101, reason: "manual restart" }));
    expect(after.services[0]).toMatchObject({ name: "db", state: "starting", pid: 101, lastReason: "manual restart", uptimeMs: 0 });
    expect(after.services[1]).toBe(before.services[1]);
    expect(after.touched).toEqual({ db: 7 });
    expect(before.services[0]).toMatchObject({ state: "healthy", pid: 100 }); // not mutated
  });

  test("without a pid: states with no process clear it, states with one keep it; no reason keeps the last one", () => {
    for (const to of ["pending", "blocked", "backoff", "stopped", "failed", "quarantined", "completed"] as const) {
      expect({ to, pid: applyEvent(model(), at(1, "service", { name: "api", from: "healthy", to })).services[1]!.pid }).toEqual({ to, pid: null });
    }
    for (const to of ["healthy", "unhealthy", "degraded", "stopping"] as const) {
      const api = applyEvent(model(), at(1, "service", { name: "api", from: "starting", to })).services[1]!;
      expect({ to, pid: api.pid, lastReason: api.lastReason }).toEqual({ to, pid: 200, lastReason: "manual restart" });
    }
    expect(applyEvent(model(), at(1, "service", { name: "db", from: "starting", to: "healthy" })).services[0]!.uptimeMs).toBe(5000);
  });

  test("a health event sets the service's health, stamped with the event's time; a missing endpoint keeps the last one", () => {
    const failed = applyEvent(model(), at(3, "health", { name: "api", ok: false, status: "unhealthy", latencyMs: 12, error: "503" }));
    expect(failed.services[1]!.health).toEqual({ status: "unhealthy", latencyMs: 12, endpoint: "/health", checkedAt: 1003, error: "503" });
    const passed = applyEvent(failed, at(4, "health", { name: "api", ok: true, status: "healthy", latencyMs: 2, endpoint: "/status" }));
    expect(passed.services[1]!.health).toEqual({ status: "healthy", latencyMs: 2, endpoint: "/status", checkedAt: 1004, error: null });
    expect(passed.touched).toEqual({ api: 4 });
  });

  test("a healing event only stamps its service; a notice changes nothing", () => {
    const before = model();
    const healed = applyEvent(before, at(5, "healing", { service: "db", action: "detected", attempt: 1, reason: "exited", ts: 1 }));
    expect(healed.services).toBe(before.services);
    expect(healed.touched).toEqual({ db: 5 });
    expect(applyEvent(before, at(6, "notice", { kind: "storage-failed", level: "error", message: "disk full" }))).toBe(before);
  });

  test("a status event sets the system state and reasons, once there is a status to change", () => {
    const after = applyEvent(model(), at(8, "status", { state: "degraded", reasons: ["api is unhealthy"] }));
    expect(after.status).toEqual({ ...status, state: "degraded", reasons: ["api is unhealthy"] });
    const empty: Model = { status: null, services: [], touched: {} };
    expect(applyEvent(empty, at(8, "status", { state: "degraded", reasons: [] }))).toBe(empty);
  });
});

describe("mergeServices", () => {
  test("a fresh read replaces the list, but a service the stream changed after the read began keeps its streamed state, pid, health and reason", () => {
    const streamed = applyEvent(model(), at(12, "service", { name: "api", from: "healthy", to: "stopping", reason: "manual stop" }));
    const fresh = [summary("db", { restarts: 3, pid: 100 }), summary("api", { restarts: 1, pid: 200, state: "healthy" }), summary("cache")];
    const merged = mergeServices(streamed, fresh, 10);
    expect(merged.services.map((s) => s.name)).toEqual(["db", "api", "cache"]);
    expect(merged.services[0]).toEqual(fresh[0]!);
    expect(merged.services[1]).toEqual({ ...fresh[1]!, state: "stopping", pid: 200, lastReason: "manual stop" });
    expect(merged.touched).toEqual({ api: 12 });
  });

  test("a change the read already covers (seq at or before it began) gives way to the read; a service gone from the read is dropped", () => {
    const streamed = applyEvent(model(), at(10, "service", { name: "api", from: "healthy", to: "stopping" }));
    const merged = mergeServices(streamed, [summary("api", { state: "stopped", pid: null })], 10);
    expect(merged.services).toEqual([summary("api", { state: "stopped", pid: null })]);
  });
});
