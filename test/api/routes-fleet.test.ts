/** The action routes on a real fleet: what a restart, a stop and a start do to real processes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TSchema } from "@sinclair/typebox";
import { ActionAcceptedSchema } from "../helpers/contract";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";
import { waitFor } from "../helpers/processes";
import { findDrift } from "../helpers/schema-drift";
import { readJson } from "./read-json";

let h: ApiFleet;
beforeAll(async () => {
  h = await startApiFleet();
});
afterAll(async () => {
  await h?.cleanup();
});

const json = (path: string, init?: RequestInit) => readJson(h.request(path, init));
const expectShape = (schema: TSchema, value: unknown) => expect(findDrift(schema, value)).toEqual([]);

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
