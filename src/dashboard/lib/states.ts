/** How each service and system state looks: a tone (colour family) and a short label. */
import type { ServiceState, SystemState } from "../api/types";

export type Tone = "ok" | "info" | "warn" | "bad" | "muted" | "done";

export const STATE_TONE: Record<ServiceState, Tone> = {
  healthy: "ok",
  completed: "done",
  pending: "info",
  starting: "info",
  unhealthy: "warn",
  backoff: "warn",
  blocked: "warn",
  degraded: "warn",
  failed: "bad",
  quarantined: "bad",
  stopping: "muted",
  stopped: "muted",
};

export const SYSTEM_TONE: Record<SystemState, Tone> = {
  starting: "info",
  ready: "ok",
  degraded: "warn",
  stopping: "muted",
  stopped: "muted",
};

/** Filters offered above the grid, each a set of states. */
export const STATE_FILTERS: { id: string; label: string; states: ServiceState[] | null }[] = [
  { id: "all", label: "All", states: null },
  { id: "healthy", label: "Healthy", states: ["healthy", "completed"] },
  { id: "starting", label: "Starting", states: ["pending", "starting"] },
  { id: "attention", label: "Attention", states: ["unhealthy", "backoff", "blocked", "degraded"] },
  { id: "failed", label: "Failed", states: ["failed", "quarantined"] },
  { id: "stopped", label: "Stopped", states: ["stopping", "stopped"] },
];
