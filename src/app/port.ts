/**
 * The orchestrator's port: everything the API (and through it the CLI client and the
 * dashboard) may read or do. The API depends on this interface only, never on internals.
 */
import type { BusMessage } from "../events/bus";
import type { StoredHealing } from "../events/store";
import type { OrchestratorEvent, SystemState } from "../events/types";
import type { GraphJson } from "../graph";
import type { ProbeResult } from "../health/probe";
import type { Issue } from "../manifest/issues";
import type { DependencyCondition, ServiceConfig } from "../manifest/types";
import type { StorageStatus } from "../lib/storage-health";
import type { LogLine } from "../logs/ring-buffer";
import type { BreakerState } from "../supervisor/circuit-breaker";
import type { ServiceState } from "../supervisor/states";

import type { HealthStatus } from "../supervisor/service-runtime";

export type { HealthStatus };

export interface ServiceSummary {
  name: string;
  state: ServiceState;
  phase: number;
  phaseName: string;
  critical: boolean;
  optional: boolean;
  pid: number | null;
  port: number | null;
  restarts: number;
  /** Position on the healing ladder (0 when none). */
  attempt: number;
  uptimeMs: number;
  health: { status: HealthStatus; latencyMs: number | null; endpoint: string | null; checkedAt: number | null; error: string | null };
  memoryBytes: number | null;
  cpuPercent: number | null;
  dependsOn: { name: string; condition: DependencyCondition }[];
  breaker: { state: BreakerState; failures: number };
  lastReason: string | null;
}

export interface ServiceDetail extends ServiceSummary {
  healthHistory: ProbeResult[];
  healing: StoredHealing[];
  /** The effective configuration (durations in ms, absolute paths). */
  config: ServiceConfig;
}

export interface SystemStatus {
  name: string;
  state: SystemState;
  startedAt: number | null;
  uptimeMs: number;
  counts: Record<ServiceState, number>;
  total: number;
  healthy: number;
  /** The highest phase that has begun launching (-1 before launch). */
  phase: { index: number; name: string | null };
  reasons: string[];
}

export interface HealthReport {
  verdict: "healthy" | "degraded" | "unhealthy";
  checkedAt: number;
  services: { name: string; state: ServiceState; status: HealthStatus; critical: boolean; optional: boolean; endpoint: string | null; latencyMs: number | null; reason: string | null }[];
}

export interface OrchestratorStats {
  name: string;
  version: string;
  pid: number;
  uptimeMs: number;
  memory: { rssBytes: number; heapUsedBytes: number };
  cpuPercent: number | null;
  probesRun: number;
  restarts: number;
  events: { lastSeq: number; subscribers: number };
  services: number;
  /** The writes under state.dir (event history, log files): failing or not, and what was dropped. */
  storage: StorageStatus;
}

/** What a reload did; the full contract (what restarts, what applies in place) is ConfigDiff in src/supervisor/config-diff.ts. */
export interface ReloadDiff {
  added: string[];
  removed: string[];
  /** Restarted with the new config; `fields` names every changed field, e.g. ["command", "env.LOG_LEVEL", "health"]. */
  changed: { name: string; fields: string[] }[];
  unchanged: string[];
  /** Changed only in fields applied in place (restart policy, dependsOn, timings...): same process, same pid. */
  updated?: { name: string; fields: string[] }[];
  /** Top-level keys that changed but only take effect when the orchestrator restarts (api.*, state.dir, launch.concurrency). */
  ignored?: { key: string; reason: string }[];
}

export type ReloadOutcome = { ok: true; diff: ReloadDiff } | { ok: false; issues: Issue[] };

export type ServiceActionName = "start" | "stop" | "restart";

export interface ActionAccepted {
  service: string;
  action: ServiceActionName;
  from: ServiceState;
  /** Resolves when the action has been carried out. */
  done: Promise<void>;
}

export interface OrchestratorPort {
  readonly name: string;
  status(): SystemStatus;
  services(): ServiceSummary[];
  service(name: string): ServiceDetail | undefined;
  /** Recent output lines, oldest first; undefined for an unknown service. */
  logs(name: string, lines?: number): LogLine[] | undefined;
  healthReport(): HealthReport;
  dependencies(): GraphJson;
  healingHistory(query: { service?: string; limit?: number }): StoredHealing[];
  /** Stored events with seq > since, oldest first (log events are live-only). Reads of the history (this, healingHistory, service) throw StoreUnavailableError (503) when it cannot be read. */
  events(since: number, limit?: number): OrchestratorEvent[];
  stats(): OrchestratorStats;
  /** Throws UnknownServiceError (404), InvalidTransitionError or ShuttingDownError (409). */
  act(action: ServiceActionName, name: string): ActionAccepted;
  reload(): Promise<ReloadOutcome>;
  /** A snapshot message first, then live events; `logs` names services whose output lines to include. */
  subscribe(handler: (message: BusMessage) => void, options?: { logs?: string[] }): () => void;
}
