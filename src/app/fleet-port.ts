/** OrchestratorPort over a running Fleet: shapes the supervisor's read model for the API. */
import pkg from "../../package.json" with { type: "json" };
import type { ReloadOutcome, ServiceAction, ServiceActionName } from "../contract/actions";
import type { ServiceDetail, ServiceSummary } from "../contract/service-view";
import { isReady, isSettled } from "../contract/state-classes";
import type { SnapshotPayload } from "../contract/stream";
import type { HealthReport, OrchestratorStats, SystemStatus } from "../contract/system-view";
import { buildGraph, renderJson } from "../graph";
import type { ServiceSnapshot } from "../supervisor";
import type { Why } from "../contract/why";
import { explainService } from "./explain";
import type { Fleet } from "./fleet";
import type { OrchestratorPort } from "./port";
import type { ProcUsage } from "../process/proc-stats";

const RECENT_HEALING = 20;
/** How far back `why` reads: healing records per service, and incidents. */
const WHY_HEALING = 30;
const WHY_INCIDENTS = 50;

export class FleetPort implements OrchestratorPort {
  private cpuSample = { at: 0, usage: process.cpuUsage(), percent: null as number | null };

  constructor(
    private readonly fleet: Fleet,
    private readonly reloader: (options?: { wait?: boolean }) => Promise<ReloadOutcome>,
  ) {}

  get name(): string {
    return this.fleet.config.name;
  }

  status(): SystemStatus {
    const system = this.fleet.supervisor.system();
    const { phaseIndex: index, total } = this.fleet.supervisor.launchProgress();
    return {
      name: this.name,
      state: system.state,
      startedAt: system.startedAt,
      uptimeMs: system.uptimeMs,
      counts: system.counts,
      total,
      healthy: system.counts.healthy,
      phase: { index, name: index >= 0 ? this.fleet.config.phases[index] ?? null : null },
      reasons: system.reasons,
    };
  }

  services(): ServiceSummary[] {
    const { services } = this.fleet.supervisor.snapshot({ history: false });
    const usage = this.fleet.processUsage(services);
    return services.map((s) => summarize(s, usage));
  }

  service(name: string): ServiceDetail | undefined {
    if (!this.fleet.supervisor.names.includes(name)) return undefined;
    const snap = this.fleet.supervisor.service(name);
    return {
      ...summarize(snap, this.fleet.processUsage()),
      healthHistory: snap.healthHistory,
      healing: this.fleet.store.healing({ service: name, limit: RECENT_HEALING }),
      config: snap.config,
    };
  }

  why(name: string): Why | undefined {
    const supervisor = this.fleet.supervisor;
    if (!supervisor.names.includes(name)) return undefined;
    const service = supervisor.service(name);
    const dependencies = service.dependsOn.filter((d) => supervisor.names.includes(d.name)).map((d) => supervisor.service(d.name));
    const store = this.fleet.store;
    return explainService({
      service,
      dependencies,
      healing: store.healing({ service: name, limit: WHY_HEALING }),
      upstreamHealing: dependencies.flatMap((d) => store.healing({ service: d.name, limit: WHY_HEALING })),
      incidents: store.latest("incident", WHY_INCIDENTS).map((e) => e.payload),
      queued: supervisor.restartQueue.queued.includes(name),
    });
  }

  logs(name: string, lines?: number) {
    return this.fleet.supervisor.names.includes(name) ? this.fleet.output.recent(name, lines) : undefined;
  }

  healthReport(): HealthReport {
    const services = this.fleet.supervisor.snapshot({ history: false }).services.map((s) => ({
      name: s.name,
      state: s.state,
      status: s.health.status,
      critical: s.config.critical,
      optional: s.config.optional,
      endpoint: s.health.endpoint,
      latencyMs: s.health.latencyMs,
      reason: isReady(s.state) ? null : s.lastReason ?? s.health.error ?? s.state,
    }));
    const bad = services.filter((s) => !isSettled(s.state));
    const verdict = bad.some((s) => s.critical) ? "unhealthy" : bad.length > 0 ? "degraded" : "healthy";
    return { verdict, checkedAt: this.fleet.clock.now(), services };
  }

  dependencies() {
    return renderJson(buildGraph(this.fleet.config.services, this.fleet.config.phases));
  }

  healingHistory(query: { service?: string; limit?: number }) {
    return this.fleet.store.healing(query);
  }

  events(since: number, limit?: number) {
    return this.fleet.store.since(since, limit);
  }

  stats(): OrchestratorStats {
    const mem = process.memoryUsage();
    const services = this.fleet.supervisor.snapshot({ history: false }).services;
    return {
      name: this.name,
      version: pkg.version,
      pid: process.pid,
      uptimeMs: this.fleet.clock.now() - this.fleet.startedAt,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      cpuPercent: this.ownCpuPercent(),
      probesRun: this.fleet.scheduler.probesRun,
      restarts: services.reduce((n, s) => n + s.restarts, 0),
      events: { lastSeq: this.fleet.bus.lastSeq, subscribers: this.fleet.bus.subscriberCount },
      services: services.length,
      storage: this.fleet.storage.status(),
      alerts: this.fleet.alerts.stats(),
      proxies: this.fleet.proxies.views(),
    };
  }

  act(action: ServiceActionName, name: string): ServiceAction {
    const supervisor = this.fleet.supervisor;
    return action === "restart" ? supervisor.restart(name) : action === "stop" ? supervisor.stop(name) : supervisor.start(name);
  }

  reload(options: { wait?: boolean } = {}): Promise<ReloadOutcome> {
    return this.reloader(options);
  }

  subscribe(handler: Parameters<OrchestratorPort["subscribe"]>[0], options: { logs?: string[] } = {}): () => void {
    const logs = new Set(options.logs ?? []);
    const unwatch = [...logs].map((name) => this.fleet.output.watch(name));
    const unsubscribe = this.fleet.bus.subscribe<SnapshotPayload>(handler, {
      snapshot: () => ({ status: this.status(), services: this.services() }),
      filter: (event) => event.type !== "log" || logs.has(event.payload.name),
    });
    return () => {
      unsubscribe();
      for (const stop of unwatch) stop();
    };
  }

  // CPU of this process since the previous call, at most once a second.
  private ownCpuPercent(): number | null {
    const now = this.fleet.clock.now();
    const elapsed = now - this.cpuSample.at;
    if (this.cpuSample.at === 0 || elapsed >= 1000) {
      const usage = process.cpuUsage();
      if (this.cpuSample.at !== 0) {
        const micros = usage.user - this.cpuSample.usage.user + (usage.system - this.cpuSample.usage.system);
        this.cpuSample.percent = (micros / 1000 / elapsed) * 100;
      }
      this.cpuSample = { at: now, usage, percent: this.cpuSample.percent };
    }
    return this.cpuSample.percent;
  }
}

function summarize(s: ServiceSnapshot, usage: Map<number, ProcUsage>): ServiceSummary {
  const proc = s.pid ? usage.get(s.pid) : undefined;
  return {
    name: s.name,
    state: s.state,
    phase: s.phase,
    phaseName: s.phaseName,
    critical: s.config.critical,
    optional: s.config.optional,
    pid: s.pid,
    port: s.port,
    restarts: s.restarts,
    attempt: s.attempt,
    uptimeMs: s.uptimeMs,
    // the snapshot's own copies: a summary is built from a fresh snapshot, never shared
    health: s.health,
    readiness: s.readiness,
    memoryBytes: proc?.rssBytes ?? null,
    cpuPercent: proc?.cpuPercent ?? null,
    dependsOn: s.dependsOn,
    breaker: s.breaker,
    lastReason: s.lastReason,
  };
}
