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

import type { ActionAccepted, ServiceSummary, SystemStatus } from "../../app/port";
import type { SnapshotMessage as BusSnapshot } from "../../events/bus";
import type { OrchestratorEvent } from "../../events/types";

/** The first message on the stream: the bus's snapshot, whose payload the API fills with this. */
export type SnapshotMessage = Omit<BusSnapshot, "payload"> & { payload: { status: SystemStatus; services: ServiceSummary[] } };

export type StreamMessage = SnapshotMessage | OrchestratorEvent;

/** What a POST action answers with (the port's `done` promise stays on the server). */
export type ActionResult = Omit<ActionAccepted, "done"> & { accepted: true };
