/**
 * The read model's schemas and what the real port (FleetPort over a real fleet) returns agree
 * key for key, on every route, in both directions: a field the port sends that the schema
 * lacks (Elysia would strip it from the response without a word), or a required schema field
 * the port never sends, fails here. The types agree at compile time as well (tsc, npm test).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { reloadFleet } from "../../src/app/reload";
import * as S from "../helpers/contract";
import type { BusMessage, GraphJson, HealthReport, LogLine, OrchestratorEvent, OrchestratorStats, ReloadDiff, ServiceDetail, ServiceSummary, StoredHealing, SystemStatus } from "../helpers/contract";
import { API_FLEET_SETTINGS, startApiFleet, writeFleetManifest, type ApiFleet, type ServiceSpec } from "../helpers/fleet-harness";
import { fixturePath, waitFor } from "../helpers/processes";
import { findDrift } from "../helpers/schema-drift";

// Compile-time: each schema's Static type and the port's type are assignable both ways, so
// a required field added to the port without its schema (or the reverse) fails `tsc`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>() => true as T;
agree<Same<Static<typeof S.SystemStatusSchema>, SystemStatus>>();
agree<Same<Static<typeof S.ServiceSummarySchema>, ServiceSummary>>();
agree<Same<Static<typeof S.ServiceDetailSchema>, ServiceDetail>>();
agree<Same<Static<typeof S.HealthReportSchema>, HealthReport>>();
agree<Same<Static<typeof S.StatsSchema>, OrchestratorStats>>();
agree<Same<Static<typeof S.GraphJsonSchema>, GraphJson>>();
agree<Same<Static<typeof S.StoredHealingSchema>, StoredHealing>>();
agree<Same<Static<typeof S.LogLineSchema>, LogLine>>();
agree<Same<Static<typeof S.ReloadDiffSchema>, ReloadDiff>>();
agree<Same<Static<typeof S.EventSchema>, OrchestratorEvent>>();

// `leaver` forks a daemon and exits, after the 1 s in which an exit would be judged a daemonizing
// starter (a failure, SPEC §13): it completes, its daemon is killed with it, which is a notice event.
const leaver: ServiceSpec = {
  command: ["/bin/sh", "-c", `/bin/sh ${fixturePath("double-fork.sh")} && sleep 1.2`],
  env: { EXIT_AFTER_PRINT: "1" },
  health: false,
  restart: { policy: "never" },
};

let h: ApiFleet;
let services: Record<string, ServiceSpec>;
const streamed: BusMessage[] = [];
let unsubscribe = () => {};
let accepted: unknown;
beforeAll(async () => {
  h = await startApiFleet({ services: { leaver }, reloader: () => reloadFleet(h.fleet, { env: {} }) });
  services = JSON.parse(await Bun.file(join(h.dir, "orchestrator.yaml")).text()).services;
  unsubscribe = h.port.subscribe((m) => streamed.push(m), { logs: ["api", "worker"] });
  // a manual restart (manual-restart healing) and a crash (detected, restart-scheduled, restarted, recovered)
  const { done, ...restart } = h.port.act("restart", "api");
  accepted = { ...restart, accepted: true }; // the route sends what the port accepted, `done` stays on the server
  await done;
  process.kill(h.pid("worker")!, "SIGKILL");
  await h.waitEvent((e) => e.type === "healing" && e.payload.service === "worker" && e.payload.action === "recovered", 20_000, "worker recovered");
  await h.waitEvent((e) => e.type === "notice", 10_000, "the leaver's daemon killed (a notice)");
  await waitFor(() => h.port.service("api")?.state === "healthy" && streamed.some((m) => m.type === "log"), 10_000, "api healthy again, a log line streamed");
}, 60_000);
afterAll(async () => {
  unsubscribe();
  await h?.cleanup();
});

const names = () => h.port.services().map((s) => s.name);
const events = () => h.port.events(0, 10_000);

/** Route → [schema, what the port returns for it]; arrays must not be empty (nothing checked otherwise). */
const ROUTES: [string, () => [TSchema, unknown]][] = [
  ["GET /orchestrator/status", () => [S.SystemStatusSchema, h.port.status()]],
  ["GET /orchestrator/services", () => [Type.Array(S.ServiceSummarySchema), h.port.services()]],
  ["GET /orchestrator/snapshot", () => [S.FleetSnapshotSchema, { status: h.port.status(), services: h.port.services() }]],
  ["GET /orchestrator/services/:name (each)", () => [Type.Array(S.ServiceDetailSchema), names().map((n) => h.port.service(n))]],
  ["GET /orchestrator/services/:name/logs (each)", () => [Type.Array(S.LogLineSchema), names().flatMap((n) => h.port.logs(n, 1000) ?? [])]],
  ["GET /orchestrator/health-status", () => [S.HealthReportSchema, h.port.healthReport()]],
  ["GET /orchestrator/dependencies", () => [S.GraphJsonSchema, h.port.dependencies()]],
  ["GET /orchestrator/healing-history", () => [Type.Array(S.StoredHealingSchema), h.port.healingHistory({ limit: 1000 })]],
  ["GET /orchestrator/events", () => [Type.Array(S.EventSchema), events()]],
  ["GET /orchestrator/stats", () => [S.StatsSchema, h.port.stats()]],
  ["WS /orchestrator/stream (snapshot, events, log lines)", () => [Type.Array(S.StreamMessageSchema), streamed]],
  ["POST /orchestrator/{restart,stop,start}/:name", () => [S.ActionAcceptedSchema, accepted]],
];

describe("the real port's read model has exactly the schemas' keys", () => {
  test.each(ROUTES)("%s", (route, read) => {
    const [schema, value] = read();
    if (Array.isArray(value)) expect({ route, items: value.length > 0 }).toEqual({ route, items: true });
    expect({ route, drift: findDrift(schema, value) }).toEqual({ route, drift: [] });
  });

  test("what was checked covers every event type, the snapshot and every service", () => {
    const types = new Set([...events(), ...streamed].map((e) => e.type));
    expect([...types].sort()).toEqual(["healing", "health", "log", "notice", "service", "snapshot", "status"]);
    expect(names().sort()).toEqual(["api", "db", "leaver", "worker"]);
    expect(h.port.healingHistory({ service: "worker" }).map((r) => r.action)).toContain("restart-scheduled");
  });

  test("the schemas reject what the port would never send", () => {
    const summary = h.port.services()[0]!;
    expect(findDrift(S.ServiceSummarySchema, { ...summary, state: "running" })).not.toEqual([]);
    expect(findDrift(S.ServiceSummarySchema, { ...summary, pid: "1" })).not.toEqual([]);
    expect(findDrift(S.ServiceSummarySchema, { ...summary, zone: "eu" })).toEqual(["$.zone: the value has it, the schema does not"]);
    const { restarts: _dropped, ...missing } = summary;
    expect(findDrift(S.ServiceSummarySchema, missing)).toContain("$.restarts: the schema requires it, the value does not have it");
  });
});

describe("POST /orchestrator/reload through the real reloader", () => {
  test("rejected: every issue has exactly the schema's keys", async () => {
    writeFleetManifest(h.dir, { ...services, api: { ...services.api, port: "eighty" } }, API_FLEET_SETTINGS);
    const outcome = await h.port.reload();
    if (outcome.ok) throw new Error(`expected the manifest to be rejected, got ${JSON.stringify(outcome.diff)}`);
    expect(outcome.issues.length).toBeGreaterThan(0);
    expect(findDrift(Type.Array(S.IssueSchema), outcome.issues)).toEqual([]);
  });

  test("accepted: the diff, with changed and updated services, has exactly the schema's keys", async () => {
    const worker = { ...services.worker, restart: { policy: "always" } };
    writeFleetManifest(h.dir, { ...services, api: { ...services.api, env: { SECRET_KEY: "hunter3" } }, worker }, API_FLEET_SETTINGS);
    const outcome = await h.port.reload();
    if (!outcome.ok) throw new Error(`expected the reload to pass, got ${JSON.stringify(outcome.issues)}`);
    expect(outcome.diff.changed).toEqual([{ name: "api", fields: ["env.SECRET_KEY"] }]);
    expect(outcome.diff.updated?.map((u) => u.name)).toEqual(["worker"]);
    expect(findDrift(S.ReloadDiffSchema, outcome.diff)).toEqual([]);
  }, 30_000);
});
