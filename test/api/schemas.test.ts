import { afterAll, beforeAll, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { Static, TSchema } from "elysia";
import type { GraphJson } from "../../src/graph";
import type { HealthReport, OrchestratorStats, ReloadDiff, ServiceDetail, ServiceSummary, SystemStatus } from "../../src/app/port";
import type { OrchestratorEvent } from "../../src/events/types";
import type { StoredHealing } from "../../src/events/store";
import type { LogLine } from "../../src/logs/ring-buffer";
import { EventSchema } from "../../src/api/event-schemas";
import * as S from "../../src/api/schemas";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";

// Compile-time: each schema's Static type and the port's type are assignable both ways, so
// a field added to the port without its schema (or the reverse) fails `tsc`.
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
agree<Same<Static<typeof EventSchema>, OrchestratorEvent>>();

let h: ApiFleet;
beforeAll(async () => {
  h = await startApiFleet();
});
afterAll(async () => {
  await h?.cleanup();
});

function check(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
}

test("the port's real read model matches the schemas (not only what the API sends)", () => {
  const port = h.port;
  expect(check(S.SystemStatusSchema, port.status())).toEqual([]);
  for (const summary of port.services()) expect(check(S.ServiceSummarySchema, summary)).toEqual([]);
  for (const name of ["db", "api", "worker"]) expect(check(S.ServiceDetailSchema, port.service(name))).toEqual([]);
  expect(check(S.HealthReportSchema, port.healthReport())).toEqual([]);
  expect(check(S.StatsSchema, port.stats())).toEqual([]);
  expect(check(S.GraphJsonSchema, port.dependencies())).toEqual([]);
  for (const event of port.events(0, 1000)) expect(check(EventSchema, event)).toEqual([]);
});

test("the schemas reject what the port would never send", () => {
  const summary = h.port.services()[0]!;
  expect(check(S.ServiceSummarySchema, { ...summary, state: "running" })).not.toEqual([]);
  expect(check(S.ServiceSummarySchema, { ...summary, pid: "1" })).not.toEqual([]);
  const { restarts: _dropped, ...missing } = summary;
  expect(check(S.ServiceSummarySchema, missing)).not.toEqual([]);
});
