/** The API's JSON shapes, from the contract (type-only: nothing reaches the bundle). */
export type { ActionAccepted as ActionResult, ServiceActionName } from "../../contract/actions";
export type { ServiceConfig } from "../../contract/config";
export type { HealingRecord, OrchestratorEvent, StoredHealing } from "../../contract/events";
export type { GraphJson } from "../../contract/graph-json";
export type { LogLine } from "../../contract/output";
export type { HealthStatus, ProbeResult, ServiceDetail, ServiceSummary } from "../../contract/service-view";
export type { ServiceState, SystemState } from "../../contract/states";
export type { SnapshotMessage, StreamMessage } from "../../contract/stream";
export type { OrchestratorStats, SystemStatus } from "../../contract/system-view";
export type { Why } from "../../contract/why";
