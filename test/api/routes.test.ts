import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { t, type TSchema } from "elysia";
import { EventSchema } from "../../src/api/event-schemas";
import {
  ActionAcceptedSchema,
  ErrorSchema,
  GraphJsonSchema,
  HealthReportSchema,
  LogLineSchema,
  ReloadRejectedSchema,
  ServiceDetailSchema,
  ServiceSummarySchema,
  StatsSchema,
  StoredHealingSchema,
  SystemStatusSchema,
} from "../../src/api/schemas";
import { waitFor } from "../helpers/processes";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";

let h: ApiFleet;
beforeAll(async () => {
  h = await startApiFleet();
});
afterAll(async () => {
  await h?.cleanup();
});

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown; type: string | null }> {
  const res = await h.request(path, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}

function expectShape(schema: TSchema, value: unknown): void {
  const errors = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
  expect(errors).toEqual([]);
}

describe("read routes answer with their documented shapes", () => {
  const cases: [string, TSchema][] = [
    ["/orchestrator/status", SystemStatusSchema],
    ["/orchestrator/services", t.Array(ServiceSummarySchema)],
    ["/orchestrator/services/api", ServiceDetailSchema],
    ["/orchestrator/services/api/logs?lines=5", t.Array(LogLineSchema)],
    ["/orchestrator/health-status", HealthReportSchema],
    ["/orchestrator/dependencies", GraphJsonSchema],
    ["/orchestrator/healing-history?limit=10", t.Array(StoredHealingSchema)],
    ["/orchestrator/healing-history?service=api", t.Array(StoredHealingSchema)],
    ["/orchestrator/events?since=0&limit=50", t.Array(EventSchema)],
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

describe("actions", () => {
  test("restart answers 202 at once, and the service comes back with a new pid", async () => {
    const before = h.pidsByName().api!;
    const { status, body } = await json("/orchestrator/restart/api", { method: "POST" });
    expect(status).toBe(202);
    expectShape(ActionAcceptedSchema, body);
    expect(body).toEqual({ service: "api", action: "restart", from: "healthy", accepted: true });
    await waitFor(() => h.port.service("api")?.state === "healthy" && h.pidsByName().api !== before, 20_000, "api healthy with a new pid");
    const history = (await json("/orchestrator/healing-history?service=api&limit=5")).body as { action: string }[];
    expect(history[0]?.action).toBe("manual-restart");
  });

  test("stop then start: 202 each, stopped in between, a second stop conflicts", async () => {
    const stop = await json("/orchestrator/stop/worker", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(stop.status).toBe(202);
    await waitFor(() => h.port.service("worker")?.state === "stopped", 20_000, "worker stopped");
    expect((await json("/orchestrator/stop/worker", { method: "POST" })).status).toBe(409);
    const start = await json("/orchestrator/start/worker", { method: "POST" });
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({ action: "start", from: "stopped" });
    await waitFor(() => h.port.service("worker")?.state === "healthy", 20_000, "worker healthy again");
  });

  test("reload that the manifest rejects: 422 with every positioned issue", async () => {
    const { status, body } = await json("/orchestrator/reload", { method: "POST" });
    expect(status).toBe(422);
    expectShape(ReloadRejectedSchema, body);
    expect(body).toMatchObject({ error: "INVALID_MANIFEST", issues: [{ path: "services.api.port", line: 3, col: 5 }] });
  });
});
