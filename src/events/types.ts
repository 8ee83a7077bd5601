/** Every event the orchestrator emits: a typed union keyed by `type`. */
import type { ServiceState } from "../supervisor/states";

/** The orchestrator's overall states; the API's schema and /metrics list them from here. */
export const SYSTEM_STATES = ["starting", "ready", "degraded", "stopping", "stopped"] as const;

export type SystemState = (typeof SYSTEM_STATES)[number];

export type HealingAction =
  | "detected"
  | "restart-scheduled"
  | "restarted"
  | "recovered"
  | "escalated"
  | "quarantined"
  | "breaker-opened"
  | "breaker-half-open"
  | "breaker-closed"
  | "manual-restart"
  | "gave-up";

export type HealingTier = "immediate" | "graceful" | "dependencies" | "quarantine" | "manual";

export interface HealingRecord {
  service: string;
  action: HealingAction;
  attempt: number;
  tier?: HealingTier;
  reason: string;
  delayMs?: number;
  ts: number;
}

/**
 * What the orchestrator says about itself (not about one service): its storage failing or
 * recovering, a history file replaced, its watchdog replaced, escaped processes caught.
 */
export const NOTICE_KINDS = [
  "storage-failed",
  "storage-recovered",
  "store-replaced",
  "watchdog-replaced",
  "subreaper-unavailable",
  "descendants-killed",
] as const;

export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  kind: NoticeKind;
  level: "info" | "warn" | "error";
  message: string;
  /** The file or folder concerned, when there is one. */
  path?: string;
  /** The process concerned, when there is one. */
  pid?: number;
  /** The service concerned, when there is one. */
  service?: string;
}

export type EventBody =
  | { type: "service"; payload: { name: string; from: ServiceState; to: ServiceState; pid?: number; reason?: string } }
  | { type: "health"; payload: { name: string; ok: boolean; status: "healthy" | "unhealthy"; latencyMs: number; endpoint?: string; error?: string } }
  | { type: "healing"; payload: HealingRecord }
  | { type: "status"; payload: { state: SystemState; reasons: string[] } }
  | { type: "notice"; payload: Notice }
  | { type: "log"; payload: { name: string; stream: "stdout" | "stderr"; line: string } };

/** An event as published: a strictly increasing `seq` and a timestamp. */
export type OrchestratorEvent = EventBody & { seq: number; ts: number };
