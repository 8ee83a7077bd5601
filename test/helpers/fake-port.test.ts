/**
 * The fake port stays honest: what it answers has exactly the keys of the schemas the real
 * port is held to (test/api/schemas.test.ts), and its actions follow the supervisor's rules.
 */
import { describe, expect, test } from "bun:test";
import { Type, type TSchema } from "@sinclair/typebox";
import * as S from "./contract";
import type { BusMessage } from "./contract";
import { summary } from "./fake-data";
import { FakePort } from "./fake-port";
import { findDrift } from "./schema-drift";

function busyPort(): FakePort {
  const port = new FakePort({
    services: [
      summary("db"),
      summary("cache", { state: "unhealthy", health: { status: "unhealthy", latencyMs: null, endpoint: "/ping", checkedAt: 1, error: "503" }, lastReason: "unhealthy: 3 probe failures" }),
      summary("mailer", { state: "failed", pid: null, port: null, memoryBytes: null, cpuPercent: null, phase: 2, phaseName: "extras", optional: true }),
    ],
    phases: ["critical", "core", "extras"],
    healing: [{ seq: 3, service: "cache", action: "restart-scheduled", attempt: 1, tier: "immediate", reason: "unhealthy", delayMs: 1000, ts: 1 }],
  });
  port.data.logs.set("db", [{ ts: 1, stream: "stdout", line: "ready" }]);
  port.publish({ type: "health", payload: { name: "cache", ok: false, status: "unhealthy", latencyMs: 2, error: "503" } });
  port.publish({ type: "status", payload: { state: "degraded", reasons: ["cache is unhealthy"] } });
  port.publish({ type: "notice", payload: { kind: "descendants-killed", level: "warn", message: "killed 1 escaped process", pid: 9, service: "db" } });
  port.publish({ type: "healing", payload: { service: "cache", action: "detected", attempt: 1, reason: "unhealthy", ts: 2 } });
  return port;
}

describe("every answer has exactly the schema's keys", () => {
  const port = busyPort();
  const streamed: BusMessage[] = [];
  port.subscribe((m) => streamed.push(m), { logs: ["db"] });
  const { done: _done, ...accepted } = port.act("restart", "db");
  port.sendLog("db", "stdout", "restarted");
  const cases: [string, TSchema, unknown][] = [
    ["status", S.SystemStatusSchema, port.status()],
    ["services", Type.Array(S.ServiceSummarySchema), port.services()],
    ["service (each)", Type.Array(S.ServiceDetailSchema), port.data.services.map((s) => port.service(s.name))],
    ["logs", Type.Array(S.LogLineSchema), port.logs("db")],
    ["healthReport", S.HealthReportSchema, port.healthReport()],
    ["dependencies", S.GraphJsonSchema, port.dependencies()],
    ["healingHistory", Type.Array(S.StoredHealingSchema), port.healingHistory({})],
    ["events", Type.Array(S.EventSchema), port.events(0)],
    ["stats", S.StatsSchema, port.stats()],
    ["subscribe", Type.Array(S.StreamMessageSchema), streamed],
    ["act", S.ActionAcceptedSchema, { ...accepted, accepted: true }],
    ["reload", S.ReloadDiffSchema, port.data.reload.ok ? port.data.reload.diff : null],
  ];
  test.each(cases)("%s", (_name, schema, value) => {
    expect(findDrift(schema, value)).toEqual([]);
  });

  test("the stream sent the snapshot, the action's event and the line asked for, in seq order", () => {
    expect(streamed.map((m) => m.type)).toEqual(["snapshot", "service", "log"]);
    expect(streamed[1]).toMatchObject({ type: "service", payload: { name: "db", from: "healthy", to: "healthy", pid: 4243 } });
  });
});

describe("actions", () => {
  test("follow the supervisor's rules and change the data", () => {
    const port = busyPort();
    expect(() => port.act("start", "db")).toThrow('cannot apply "manual-start" to a service that is healthy');
    expect(() => port.act("stop", "nope")).toThrow('expected one of the enabled services (db, cache, mailer), got "nope"');
    expect(port.act("stop", "db").from).toBe("healthy");
    expect(port.service("db")).toMatchObject({ state: "stopped", pid: null });
    expect(() => port.act("stop", "db")).toThrow('cannot apply "stop" to a service that is stopped');
    expect(port.act("start", "db").from).toBe("stopped");
    expect(port.service("db")).toMatchObject({ state: "healthy", pid: 5001 });
    expect(port.events(0).slice(-2).map((e) => e.type === "service" && `${e.payload.from}->${e.payload.to}`)).toEqual(["healthy->stopped", "stopped->healthy"]);
  });
});
