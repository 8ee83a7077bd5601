/**
 * The one place tests import the shared shapes from: the read model's schemas (what the API
 * validates and documents) and the port's types. When those move (src/contract/), only the
 * imports below change.
 */
export * from "../../src/api/schemas";
export { EventSchema, SnapshotSchema, StreamMessageSchema } from "../../src/api/event-schemas";
export type {
  ActionAccepted,
  HealthReport,
  OrchestratorPort,
  OrchestratorStats,
  ReloadDiff,
  ReloadOutcome,
  ServiceActionName,
  ServiceDetail,
  ServiceSummary,
  SystemStatus,
} from "../../src/app/port";
export type { BusMessage } from "../../src/events/bus";
export type { StoredHealing } from "../../src/events/store";
export { NOTICE_KINDS, type EventBody, type OrchestratorEvent } from "../../src/events/types";
export type { GraphJson } from "../../src/graph";
export type { ProbeResult } from "../../src/health/probe";
export type { LogLine } from "../../src/logs/ring-buffer";
export type { ServiceConfig } from "../../src/manifest/types";
export { SERVICE_STATES, type ServiceState } from "../../src/supervisor/states";
