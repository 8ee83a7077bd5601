/** The API's JSON shapes, taken from the orchestrator's port (type-only: nothing reaches the bundle). */
export type {
  ActionAccepted,
  HealthStatus,
  OrchestratorStats,
  ServiceActionName,
  ServiceDetail,
  ServiceSummary,
  SystemStatus,
} from "../../app/port";
export type { OrchestratorEvent, SystemState, HealingRecord } from "../../events/types";
export type { StoredHealing } from "../../events/store";
export type { GraphJson } from "../../graph/render-json";
export type { LogLine } from "../../logs/ring-buffer";
export type { ProbeResult } from "../../health/probe";
export type { ServiceState } from "../../supervisor/states";

import type { ServiceSummary, SystemStatus } from "../../app/port";
import type { OrchestratorEvent } from "../../events/types";

/** The first message on the stream: the state as of `seq`. */
export interface SnapshotMessage {
  type: "snapshot";
  seq: number;
  ts: number;
  payload: { status: SystemStatus; services: ServiceSummary[] };
}

export type StreamMessage = SnapshotMessage | OrchestratorEvent;

/** What a POST action answers with (the port's `done` promise stays on the server). */
export interface ActionResult {
  service: string;
  action: "start" | "stop" | "restart";
  from: string;
  accepted: boolean;
}
