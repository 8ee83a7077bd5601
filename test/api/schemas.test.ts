import { afterAll, beforeAll, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { Static, TSchema } from "elysia";
import type { OrchestratorPort } from "../../src/app/port";
import { ReloadDiffSchema, type ReloadOutcome } from "../../src/contract/actions";
import { EventSchema, StoredHealingSchema } from "../../src/contract/events";
import { GraphJsonSchema } from "../../src/contract/graph-json";
import { LogLineSchema } from "../../src/contract/output";
import { ServiceDetailSchema, ServiceSummarySchema } from "../../src/contract/service-view";
import { StreamMessageSchema } from "../../src/contract/stream";
import { HealthReportSchema, StatsSchema, SystemStatusSchema } from "../../src/contract/system-view";
import { startHarness, type Harness } from "./harness";

const S = { SystemStatusSchema, ServiceSummarySchema, ServiceDetailSchema, HealthReportSchema, StatsSchema, GraphJsonSchema };

// Compile-time: what each port method returns is exactly its schema's Static type, so the port
// cannot drift from the schemas the API validates and documents with (a hand-written type fails `tsc`).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Returns<K extends keyof OrchestratorPort> = OrchestratorPort[K] extends (...args: never[]) => infer R ? R : never;
const agree = <T extends true>() => true as T;
agree<Same<Static<typeof SystemStatusSchema>, Returns<"status">>>();
agree<Same<Static<typeof ServiceSummarySchema>[], Returns<"services">>>();
agree<Same<Static<typeof ServiceDetailSchema> | undefined, Returns<"service">>>();
agree<Same<Static<typeof HealthReportSchema>, Returns<"healthReport">>>();
agree<Same<Static<typeof StatsSchema>, Returns<"stats">>>();
agree<Same<Static<typeof GraphJsonSchema>, Returns<"dependencies">>>();
agree<Same<Static<typeof StoredHealingSchema>[], Returns<"healingHistory">>>();
agree<Same<Static<typeof LogLineSchema>[] | undefined, Returns<"logs">>>();
agree<Same<Static<typeof ReloadDiffSchema>, Extract<ReloadOutcome, { ok: true }>["diff"]>>();
agree<Same<Static<typeof EventSchema>[], Returns<"events">>>();
agree<Same<Static<typeof StreamMessageSchema>, Parameters<Parameters<OrchestratorPort["subscribe"]>[0]>[0]>>();

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
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
