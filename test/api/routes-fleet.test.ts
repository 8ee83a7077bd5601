/** The action routes on a real fleet: what a restart, a stop and a start do to real processes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { ActionAcceptedSchema } from "../helpers/contract";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";
import { waitFor } from "../helpers/processes";

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
});
