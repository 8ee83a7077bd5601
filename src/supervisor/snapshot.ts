/** The read model the API and dashboard show: plain data, copied, never live objects. */
import type { ServiceConfig } from "../contract/config";
import type { ProbeResult, ServiceSummary } from "../contract/service-view";
import { hasProcess } from "../contract/state-classes";
import type { SystemStatus } from "../contract/system-view";
import type { SupervisorCore } from "./core";
import type { ServiceRuntime } from "./service-runtime";
import { readinessSourceOf } from "./ready-signals";

/** One service as the supervisor knows it: the API's summary less what the app adds (process usage, flags from config), plus its history and config. */
export type ServiceSnapshot = Omit<ServiceSummary, "critical" | "optional" | "memoryBytes" | "cpuPercent"> & {
  startedAt: number | null;
  healthHistory: ProbeResult[];
  config: ServiceConfig;
};

export type SystemSnapshot = Pick<SystemStatus, "state" | "startedAt" | "uptimeMs" | "counts" | "reasons">;

export interface SupervisorSnapshot {
  system: SystemSnapshot;
  services: ServiceSnapshot[];
}

export function snapshotService(core: SupervisorCore, service: ServiceRuntime, history = true): ServiceSnapshot {
  const now = core.clock.now();
  const pid = service.child && service.child.pid > 0 ? service.child.pid : null;
  const up = pid !== null && hasProcess(service.state) && service.startedAt !== null;
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
    health: { ...service.health.current },
    readiness: snapshotReadiness(service, up),
    healthHistory: history ? service.health.list() : [],
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

function snapshotReadiness(service: ServiceRuntime, up: boolean): ServiceSummary["readiness"] {
  const r = service.readiness;
  return {
    source: readinessSourceOf(service),
    ready: up && r.readyAt !== null,
    signal: r.signal,
    readyAt: r.readyAt,
    status: r.status,
    mainPid: r.mainPid,
    stopping: r.stopping,
    watchdogMs: r.watchdogMs,
    lastPingAt: r.lastPingAt,
    lastCheck: r.lastCheck,
  };
}
