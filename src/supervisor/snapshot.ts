/** The read model the API and dashboard show: plain data, copied, never live objects. */
import type { ProbeResult } from "../health/probe";
import type { SystemState } from "../events/types";
import type { DependencyCondition, ServiceConfig } from "../manifest/types";
import type { BreakerState } from "./circuit-breaker";
import type { SupervisorCore } from "./core";
import type { HealthStatus, ServiceRuntime } from "./service-runtime";
import type { ServiceState } from "./states";

export interface ServiceSnapshot {
  name: string;
  state: ServiceState;
  phase: number;
  phaseName: string;
  pid: number | null;
  port: number | null;
  restarts: number;
  /** Current attempt on the healing ladder (0 when none). */
  attempt: number;
  startedAt: number | null;
  uptimeMs: number;
  health: { status: HealthStatus; latencyMs: number | null; endpoint: string | null; checkedAt: number | null; error: string | null };
  healthHistory: ProbeResult[];
  dependsOn: { name: string; condition: DependencyCondition }[];
  breaker: { state: BreakerState; failures: number };
  lastReason: string | null;
  config: ServiceConfig;
}

export interface SystemSnapshot {
  state: SystemState;
  startedAt: number | null;
  uptimeMs: number;
  counts: Record<ServiceState, number>;
  reasons: string[];
}

export interface SupervisorSnapshot {
  system: SystemSnapshot;
  services: ServiceSnapshot[];
}

const RUNNING: ReadonlySet<ServiceState> = new Set(["starting", "healthy", "unhealthy", "degraded", "stopping", "backoff"]);

export function snapshotService(core: SupervisorCore, service: ServiceRuntime, history = true): ServiceSnapshot {
  const now = core.clock.now();
  const pid = service.child && service.child.pid > 0 ? service.child.pid : null;
  const up = pid !== null && RUNNING.has(service.state) && service.startedAt !== null;
  return {
    name: service.name,
    state: service.state,
    phase: service.config.phase,
    phaseName: service.config.phaseName,
    pid,
    port: service.config.port ?? null,
    restarts: service.restarts,
    attempt: service.ladder.attempt,
    startedAt: service.startedAt,
    uptimeMs: up ? now - service.startedAt! : 0,
    health: { ...service.health },
    healthHistory: history ? service.history.list() : [],
    dependsOn: service.config.dependsOn.map((d) => ({ name: d.name, condition: d.condition })),
    breaker: { state: service.breaker.state, failures: service.breaker.failures },
    lastReason: service.lastReason,
    config: service.config,
  };
}

export function snapshotSystem(core: SupervisorCore): SystemSnapshot {
  const startedAt = core.systemStartedAt;
  // while starting or stopping, the fleet-wide conditions (storage failing...) still show
  const reasons = core.systemState === "ready" ? [] : core.tracking ? core.collectReasons() : [...core.conditionReasons(), ...core.systemReasons];
  return {
    state: core.systemState,
    startedAt,
    uptimeMs: startedAt === null ? 0 : core.clock.now() - startedAt,
    counts: { ...core.counts },
    reasons,
  };
}
