/**
 * An OrchestratorPort over plain data a test sets (`port.data`): no fleet, no processes, for
 * tests whose subject is the API or the CLI, not the fleet. Its answers are the shapes the
 * API validates its responses against, so data that drifts from the schemas fails as a 500
 * (and test/helpers/fake-port.test.ts checks the defaults key for key). Actions follow the
 * supervisor's transition table and are published as service events to subscribers.
 */
import { InvalidTransitionError, UnknownServiceError, canTransition } from "../../src/supervisor";
import type {
  ServiceAction,
  StreamMessage,
  EventBody,
  GraphJson,
  HealthReport,
  LogLine,
  OrchestratorEvent,
  OrchestratorPort,
  OrchestratorStats,
  ProbeResult,
  ReloadOutcome,
  ServiceActionName,
  ServiceConfig,
  ServiceDetail,
  ServiceState,
  ServiceSummary,
  StoredHealing,
  SystemStatus,
} from "./contract";
import { SERVICE_STATES } from "./contract";
import type { Why } from "../../src/contract/why";
import { serviceConfig, summary } from "./fake-data";

/** What the fake answers from; change any of it between requests. */
export interface FakeData {
  name: string;
  services: ServiceSummary[];
  phases: string[];
  reasons: string[];
  /** Output per service, oldest first. */
  logs: Map<string, LogLine[]>;
  /** Stored events (what `GET /events` replays), oldest first; published ones are appended. */
  events: OrchestratorEvent[];
  /** Healing records, newest first (as the store answers). */
  healing: StoredHealing[];
  healthHistory: Map<string, ProbeResult[]>;
  configs: Map<string, ServiceConfig>;
  reload: ReloadOutcome;
}

interface Subscriber {
  handler: (message: StreamMessage) => void;
  logs: Set<string>;
}

export class FakePort implements OrchestratorPort {
  readonly data: FakeData;
  /** The port's methods as called, e.g. "services", "logs api 2", "act restart api". */
  readonly calls: string[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private seq: number;

  constructor(data: Partial<FakeData> = {}) {
    this.data = {
      name: "tiny",
      services: [summary("db"), summary("api", { phase: 1, phaseName: "core", port: 4001, pid: 4243, dependsOn: [{ name: "db", condition: "healthy" }] })],
      phases: ["critical", "core"],
      reasons: [],
      logs: new Map(),
      events: [],
      healing: [],
      healthHistory: new Map(),
      configs: new Map(),
      reload: { ok: true, diff: { added: [], removed: [], changed: [], unchanged: ["db", "api"], updated: [], ignored: [] } },
      ...data,
    };
    this.seq = this.data.events.at(-1)?.seq ?? 0;
  }

  get name(): string {
    return this.data.name;
  }

  status(): SystemStatus {
    this.calls.push("status");
    const services = this.data.services;
    const counts = Object.fromEntries(SERVICE_STATES.map((state) => [state, 0])) as Record<ServiceState, number>;
    for (const s of services) counts[s.state]++;
    const settled = services.every((s) => s.state === "healthy" || s.state === "completed");
    const index = Math.max(-1, ...services.filter((s) => s.state !== "pending").map((s) => s.phase));
    return {
      name: this.data.name,
      state: settled && this.data.reasons.length === 0 ? "ready" : "degraded",
      startedAt: 1,
      uptimeMs: 3 * 3_600_000 + 5000,
      counts,
      total: services.length,
      healthy: counts.healthy,
      phase: { index, name: this.data.phases[index] ?? null },
      reasons: this.data.reasons,
    };
  }

  services(): ServiceSummary[] {
    this.calls.push("services");
    return structuredClone(this.data.services);
  }

  service(name: string): ServiceDetail | undefined {
    this.calls.push(`service ${name}`);
    const s = this.find(name);
    if (!s) return undefined;
    return {
      ...structuredClone(s),
      healthHistory: this.data.healthHistory.get(name) ?? [{ ok: true, latencyMs: 3, endpoint: "/health", checkedAt: 1 }],
      healing: this.data.healing.filter((h) => h.service === name),
      config: this.data.configs.get(name) ?? serviceConfig(s),
    };
  }

  logs(name: string, lines = 100): LogLine[] | undefined {
    this.calls.push(`logs ${name} ${lines}`);
    return this.find(name) ? (this.data.logs.get(name) ?? []).slice(-lines) : undefined;
  }

  healthReport(): HealthReport {
    this.calls.push("healthReport");
    const services = this.data.services.map((s) => ({
      name: s.name,
      state: s.state,
      status: s.health.status,
      critical: s.critical,
      optional: s.optional,
      endpoint: s.health.endpoint,
      latencyMs: s.health.latencyMs,
      reason: s.state === "healthy" || s.state === "completed" ? null : (s.lastReason ?? s.state),
    }));
    const bad = services.filter((s) => s.state !== "healthy" && s.state !== "completed" && s.state !== "stopped");
    return { verdict: bad.some((s) => s.critical) ? "unhealthy" : bad.length > 0 ? "degraded" : "healthy", checkedAt: 1, services };
  }

  dependencies(): GraphJson {
    this.calls.push("dependencies");
    const services = this.data.services;
    return {
      nodes: services.map((s) => ({ name: s.name, phase: s.phase, phaseName: s.phaseName, critical: s.critical, optional: s.optional, disabled: false, port: s.port })),
      edges: services.flatMap((s) => s.dependsOn.map((d) => ({ from: s.name, to: d.name, condition: d.condition }))),
      phases: this.data.phases,
      order: [...services].sort((a, b) => a.phase - b.phase).map((s) => s.name),
    };
  }

  why(name: string): Why | undefined {
    this.calls.push(`why ${name}`);
    const s = this.find(name);
    if (!s) return undefined;
    const attempts = this.data.healing.filter((h) => h.service === name);
    const summaryLine = s.lastReason ? `${name} is ${s.state}: ${s.lastReason}` : `${name} is ${s.state}`;
    return { service: name, state: s.state, summary: summaryLine, waitingFor: null, upstream: [], incidents: [], attempts, crashContext: [], timeline: [] };
  }

  healingHistory(query: { service?: string; limit?: number }): StoredHealing[] {
    this.calls.push(`healingHistory ${query.service ?? "*"} ${query.limit ?? "-"}`);
    return this.data.healing.filter((h) => query.service === undefined || h.service === query.service).slice(0, query.limit ?? 100);
  }

  events(since: number, limit = 1000): OrchestratorEvent[] {
    this.calls.push(`events ${since} ${limit}`);
    return this.data.events.filter((e) => e.seq > since).slice(0, limit);
  }

  stats(): OrchestratorStats {
    this.calls.push("stats");
    return {
      name: this.data.name,
      version: "0.0.0-fake",
      pid: process.pid,
      uptimeMs: 3 * 3_600_000 + 5000,
      memory: { rssBytes: 50 * 1024 * 1024, heapUsedBytes: 20 * 1024 * 1024 },
      cpuPercent: 0.5,
      probesRun: 42,
      restarts: this.data.services.reduce((n, s) => n + s.restarts, 0),
      events: { lastSeq: this.seq, subscribers: this.subscribers.size },
      services: this.data.services.length,
      storage: { ok: true, lastError: null, droppedEvents: 0, droppedLogLines: 0 },
    };
  }

  /** Follows the supervisor's rules: unknown → 404; restart of a stopping service, stop of a stopped one, start of a running one → 409. */
  act(action: ServiceActionName, name: string): ServiceAction {
    this.calls.push(`act ${action} ${name}`);
    const s = this.find(name);
    if (!s) throw new UnknownServiceError(name, this.data.services.map((x) => x.name));
    const from = s.state;
    if (action === "restart" && from === "stopping") throw new InvalidTransitionError(from, "manual-start");
    if (action === "stop" && from === "stopped") throw new InvalidTransitionError(from, "stop");
    if (action === "start" && (s.pid !== null || !canTransition(from, "manual-start"))) throw new InvalidTransitionError(from, "manual-start");
    if (action === "stop") Object.assign(s, { state: "stopped", pid: null, uptimeMs: 0 });
    else Object.assign(s, { state: "healthy", pid: (s.pid ?? 5000) + 1, uptimeMs: 0, restarts: s.restarts + (action === "restart" ? 1 : 0) });
    this.publish({ type: "service", payload: { name, from, to: s.state, ...(s.pid === null ? {} : { pid: s.pid }) } });
    return { service: name, action, from, done: Promise.resolve() };
  }

  reload(): Promise<ReloadOutcome> {
    this.calls.push("reload");
    return Promise.resolve(this.data.reload);
  }

  subscribe(handler: (message: StreamMessage) => void, options: { logs?: string[] } = {}): () => void {
    this.calls.push(`subscribe ${(options.logs ?? []).join(",")}`);
    const subscriber = { handler, logs: new Set(options.logs ?? []) };
    handler({ type: "snapshot", seq: this.seq, ts: Date.now(), payload: { status: this.status(), services: this.services() } });
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Stamp and publish an event: stored (unless `log`), then sent to every subscriber that wants it. */
  publish(body: EventBody, ts = Date.now()): OrchestratorEvent {
    const event = { ...body, seq: body.type === "log" ? this.seq : ++this.seq, ts } as OrchestratorEvent;
    if (event.type !== "log") this.data.events.push(event);
    for (const s of this.subscribers) if (event.type !== "log" || s.logs.has(event.payload.name)) s.handler(event);
    return event;
  }

  /** Publish one output line of `name` (live only, as the real bus does). */
  sendLog(name: string, stream: "stdout" | "stderr", line: string, ts = Date.now()): void {
    this.publish({ type: "log", payload: { name, stream, line } }, ts);
  }

  /** Open stream subscriptions. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private find(name: string): ServiceSummary | undefined {
    return this.data.services.find((s) => s.name === name);
  }
}
