/**
 * The routes over canned data (a FakePort): each read answers with its documented shape and
 * the port's data; unknown services, conflicts and a rejected reload answer with JSON errors.
 * The API validates every response against its schema, so canned data that drifts is a 500.
 * What the actions do to real processes: routes-fleet.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { Type, type TSchema } from "@sinclair/typebox";
import {
  ErrorSchema,
  EventSchema,
  FleetSnapshotSchema,
  GraphJsonSchema,
  HealthReportSchema,
  LogLineSchema,
  ReloadRejectedSchema,
  ServiceDetailSchema,
  ServiceSummarySchema,
  StatsSchema,
  StoredHealingSchema,
  SystemStatusSchema,
} from "../helpers/contract";
import { createFakeApp } from "../helpers/fake-api";
import { REJECTED_RELOAD, serviceConfig, summary } from "../helpers/fake-data";
import { FakePort } from "../helpers/fake-port";
import { findDrift } from "../helpers/schema-drift";
import { readJson } from "./read-json";

const db = summary("db", { port: 5432 });
const api = summary("api", { phase: 1, phaseName: "core", pid: 4243, port: 4001, dependsOn: [{ name: "db", condition: "healthy" }] });
const worker = summary("worker", { phase: 1, phaseName: "core", pid: 4244, port: 4002, dependsOn: [{ name: "db", condition: "started" }], health: { status: "healthy", latencyMs: 1, endpoint: "/status", checkedAt: 1, error: null } });
const port = new FakePort({ name: "api-test", services: [db, api, worker], reload: REJECTED_RELOAD });
port.data.configs.set("api", { ...serviceConfig(api), env: { PORT: "4001", SECRET_KEY: "hunter2" } });
port.data.logs.set("api", [
  { ts: 1, stream: "stdout", line: "starting" },
  { ts: 2, stream: "stdout", line: "listening on 127.0.0.1:4001" },
]);
for (let i = 0; i < 8; i++) port.publish({ type: "health", payload: { name: "db", ok: true, status: "healthy", latencyMs: 1, endpoint: "/health" } }, 1000 + i);
port.data.healing.push({ seq: 9, service: "api", action: "manual-restart", attempt: 0, tier: "manual", reason: "manual restart (was healthy)", ts: 5 });
const h = createFakeApp(port);

const json = (path: string, init?: RequestInit) => readJson(h.request(path, init));
const expectShape = (schema: TSchema, value: unknown) => expect(findDrift(schema, value)).toEqual([]);

describe("read routes answer with their documented shapes", () => {
  const cases: [string, TSchema][] = [
    ["/orchestrator/status", SystemStatusSchema],
    ["/orchestrator/services", Type.Array(ServiceSummarySchema)],
    ["/orchestrator/snapshot", FleetSnapshotSchema],
    ["/orchestrator/snapshot?fields=state,pid,health", FleetSnapshotSchema],
    ["/orchestrator/services/api", ServiceDetailSchema],
    ["/orchestrator/services/api/logs?lines=5", Type.Array(LogLineSchema)],
    ["/orchestrator/health-status", HealthReportSchema],
    ["/orchestrator/dependencies", GraphJsonSchema],
    ["/orchestrator/healing-history?limit=10", Type.Array(StoredHealingSchema)],
    ["/orchestrator/healing-history?service=api", Type.Array(StoredHealingSchema)],
    ["/orchestrator/events?since=0&limit=50", Type.Array(EventSchema)],
    ["/orchestrator/stats", StatsSchema],
  ];
  for (const [path, schema] of cases) {
    test(`GET ${path}`, async () => {
      const { status, body, type } = await json(path);
      expect(status).toBe(200);
      expect(type).toContain("application/json");
      expectShape(schema, body);
    });
  }

  test("the status says ready with three healthy services", async () => {
    const { body } = await json("/orchestrator/status");
    expect(body).toMatchObject({ state: "ready", total: 3, healthy: 3, name: "api-test" });
  });

  test("reads hand the port's data through", async () => {
    expect((await json("/orchestrator/services")).body).toEqual(port.services());
    expect((await json("/orchestrator/health-status")).body).toEqual(port.healthReport());
    expect((await json("/orchestrator/healing-history?service=api")).body).toEqual(port.data.healing);
    expect((await json("/orchestrator/stats")).body).toMatchObject({ name: "api-test", services: 3, events: { lastSeq: 8 } });
  });

  test("fields cut each summary to those fields and name, in the summary's order", async () => {
    const { body } = await json("/orchestrator/services?fields=pid,state,pid");
    expect(body).toEqual(port.services().map((s) => ({ name: s.name, state: s.state, pid: s.pid })));
    expect(Object.keys((body as object[])[0]!)).toEqual(["name", "state", "pid"]);
    expect((await json("/orchestrator/services?fields=name")).body).toEqual(port.services().map((s) => ({ name: s.name })));
  });

  test("the snapshot: the status and the services in one answer, cut as /services is", async () => {
    expect((await json("/orchestrator/snapshot")).body).toEqual({ status: port.status(), services: port.services() });
    const { body } = (await json("/orchestrator/snapshot?fields=health")) as { body: { status: unknown; services: unknown[] } };
    expect(body.status).toEqual(port.status());
    expect(body.services).toEqual(port.services().map((s) => ({ name: s.name, health: s.health })));
  });

  test("a service's detail shows its dependencies, health history and effective config", async () => {
    const { body } = (await json("/orchestrator/services/api")) as { body: { dependsOn: unknown; healthHistory: unknown[]; config: { env: Record<string, string> } } };
    expect(body.dependsOn).toEqual([{ name: "db", condition: "healthy" }]);
    expect(body.healthHistory.length).toBeGreaterThan(0);
    expect(body.config.env.SECRET_KEY).toBe("hunter2"); // no token configured: nothing to redact for
  });

  test("logs returns the service's own output, oldest first, at most `lines`", async () => {
    const { body } = (await json("/orchestrator/services/api/logs?lines=1")) as { body: { line: string }[] };
    expect(body).toHaveLength(1);
    expect(body[0]!.line).toContain("listening on 127.0.0.1:");
  });

  test("dependencies as mermaid and dot text", async () => {
    const mermaid = await h.request("/orchestrator/dependencies?format=mermaid");
    expect(mermaid.headers.get("content-type")).toContain("text/plain");
    const text = await mermaid.text();
    expect(text).toStartWith("flowchart LR");
    expect(text).toContain("svc_worker -->|started| svc_db");
    const dot = await (await h.request("/orchestrator/dependencies?format=dot")).text();
    expect(dot).toStartWith("digraph dependencies {");
    expect(dot).toContain('"api" -> "db";');
  });

  test("events replay strictly after `since`, oldest first, within `limit`", async () => {
    const { body } = (await json("/orchestrator/events?since=2&limit=3")) as { body: { seq: number }[] };
    expect(body.map((e) => e.seq)).toEqual([3, 4, 5]);
  });
});

describe("unknown services and conflicting actions", () => {
  test("404 JSON for an unknown service on every per-service route", async () => {
    for (const [method, path] of [
      ["GET", "/orchestrator/services/nope"],
      ["GET", "/orchestrator/services/nope/logs"],
      ["POST", "/orchestrator/restart/nope"],
      ["POST", "/orchestrator/stop/nope"],
      ["POST", "/orchestrator/start/nope"],
    ] as const) {
      const { status, body } = await json(path, { method });
      expect({ path, status }).toEqual({ path, status: 404 });
      expectShape(ErrorSchema, body);
      expect((body as { message: string }).message).toContain('"nope"');
    }
  });

  test("404 JSON for an unknown route", async () => {
    const { status, body } = await json("/orchestrator/nothing-here");
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: "NOT_FOUND" });
  });

  test("409 when starting a service that is already running", async () => {
    const { status, body } = await json("/orchestrator/start/api", { method: "POST" });
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: "INVALID_TRANSITION" });
  });
});

describe("a rejected reload", () => {
  test("reload that the manifest rejects: 422 with every positioned issue", async () => {
    const { status, body } = await json("/orchestrator/reload", { method: "POST" });
    expect(status).toBe(422);
    expectShape(ReloadRejectedSchema, body);
    expect(body).toMatchObject({ error: "INVALID_MANIFEST", issues: [{ path: "services.api.port", line: 3, col: 5 }] });
  });
});
