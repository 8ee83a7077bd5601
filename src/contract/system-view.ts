/** The orchestrator as the API shows it: its status, its health verdict, its own statistics. */
import { Type, type Static } from "@sinclair/typebox";
import { literals, Nullable } from "./schema-helpers";
import { HealthStatusSchema, ServiceSummarySchema } from "./service-view";
import { ServiceStateSchema, StateCountsSchema, SystemStateSchema } from "./state-schemas";
import { SERVICE_STATES } from "./states";

export const HEALTH_VERDICTS = ["healthy", "degraded", "unhealthy"] as const;

export const SystemStatusSchema = Type.Object(
  {
    name: Type.String(),
    state: SystemStateSchema,
    startedAt: Nullable(Type.Number()),
    uptimeMs: Type.Number(),
    counts: StateCountsSchema,
    total: Type.Integer({ minimum: 0 }),
    healthy: Type.Integer({ minimum: 0 }),
    phase: Type.Object({ index: Type.Integer({ minimum: -1 }), name: Nullable(Type.String()) }, { description: "The highest phase that has begun launching (-1 before launch)." }),
    reasons: Type.Array(Type.String()),
  },
  {
    examples: [
      {
        name: "azora-os", state: "ready", startedAt: 1735689600000, uptimeMs: 120000,
        counts: Object.fromEntries(SERVICE_STATES.map((s) => [s, s === "healthy" ? 3 : 0])), total: 3, healthy: 3,
        phase: { index: 1, name: "core" }, reasons: [],
      },
    ],
  },
);

/** A service summary cut by `?fields=`: `name` always, any of the others. */
export const PartialSummarySchema = Type.Composite([Type.Pick(ServiceSummarySchema, ["name"]), Type.Partial(Type.Omit(ServiceSummarySchema, ["name"]))]);

/** GET /orchestrator/snapshot: the status and the summaries of one instant. */
export const FleetSnapshotSchema = Type.Object({ status: SystemStatusSchema, services: Type.Array(PartialSummarySchema) });

export const HealthReportSchema = Type.Object({
  verdict: literals(HEALTH_VERDICTS),
  checkedAt: Type.Number(),
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      state: ServiceStateSchema,
      status: HealthStatusSchema,
      critical: Type.Boolean(),
      optional: Type.Boolean(),
      endpoint: Nullable(Type.String()),
      latencyMs: Nullable(Type.Number()),
      reason: Nullable(Type.String()),
    }),
  ),
});

/** The writes under state.dir (event history, log files): failing or not, and what was dropped. */
export const StorageStatusSchema = Type.Object(
  {
    ok: Type.Boolean({ description: "False while writes under state.dir (event history, log files) fail; supervision goes on." }),
    lastError: Nullable(Type.String({ description: "What the latest failed write said (kept after recovery)." })),
    droppedEvents: Type.Integer({ minimum: 0, description: "Events dropped since start: held in memory while writes failed, past the bound." }),
    droppedLogLines: Type.Integer({ minimum: 0, description: "Service output lines that never reached their log file (disk behind or failing)." }),
  },
  { examples: [{ ok: false, lastError: "cannot write /srv/state/orchestrator.db: database or disk is full (SQLITE_FULL)", droppedEvents: 0, droppedLogLines: 1200 }] },
);

/** One `alerts:` endpoint's deliveries since the orchestrator started (SPEC §16). */
export const AlertTargetStatsSchema = Type.Object({
  target: Type.String({ description: "The URL redacted to scheme and host: the rest often carries a token." }),
  format: Type.String(),
  sent: Type.Integer({ minimum: 0, description: "Alerts the endpoint accepted (2xx)." }),
  failed: Type.Integer({ minimum: 0, description: "Alerts given up on after every retry." }),
  retries: Type.Integer({ minimum: 0 }),
  suppressed: Type.Integer({ minimum: 0, description: "Alerts held back by minInterval or folded into an incident's alert." }),
  pending: Type.Integer({ minimum: 0, description: "Alerts being delivered or waiting for a retry." }),
  lastSentAt: Nullable(Type.Number()),
  lastError: Nullable(Type.String({ description: "Why the latest failed attempt failed (the URL is never in it)." })),
});

const ProxyInstanceStatsSchema = Type.Object({
  connections: Type.Integer({ minimum: 0, description: "Connections forwarded to the instance since the proxy started." }),
  active: Type.Integer({ minimum: 0, description: "Open now." }),
  bytesIn: Type.Integer({ minimum: 0, description: "Bytes from clients to the instance." }),
  bytesOut: Type.Integer({ minimum: 0, description: "Bytes from the instance to clients." }),
});

/** One built-in proxy (SPEC §15): its address and counters, per instance. */
export const ProxyStatsSchema = Type.Object({
  group: Type.String({ description: "The replicated service it fronts." }),
  host: Type.String(),
  port: Type.Integer(),
  accepted: Type.Integer({ minimum: 0, description: "Connections accepted." }),
  refused: Type.Integer({ minimum: 0, description: "Connections closed at once: no instance was ready (or every one refused)." }),
  active: Type.Integer({ minimum: 0 }),
  instances: Type.Record(Type.String(), ProxyInstanceStatsSchema, { description: "By instance name (web@1...)." }),
});

export const StatsSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  pid: Type.Integer(),
  uptimeMs: Type.Number(),
  memory: Type.Object({ rssBytes: Type.Number(), heapUsedBytes: Type.Number() }),
  cpuPercent: Nullable(Type.Number()),
  probesRun: Type.Integer({ minimum: 0 }),
  restarts: Type.Integer({ minimum: 0 }),
  events: Type.Object({ lastSeq: Type.Integer({ minimum: 0 }), subscribers: Type.Integer({ minimum: 0 }) }),
  services: Type.Integer({ minimum: 0 }),
  storage: StorageStatusSchema,
  alerts: Type.Optional(Type.Array(AlertTargetStatsSchema, { description: "One entry per `alerts:` endpoint, in manifest order." })),
  proxies: Type.Optional(Type.Array(ProxyStatsSchema, { description: "One entry per built-in proxy, by group name." })),
});

export type SystemStatus = Static<typeof SystemStatusSchema>;
export type HealthReport = Static<typeof HealthReportSchema>;
export type StorageStatus = Static<typeof StorageStatusSchema>;
export type OrchestratorStats = Static<typeof StatsSchema>;
export type AlertTargetStats = Static<typeof AlertTargetStatsSchema>;
export type ProxyStatsView = Static<typeof ProxyStatsSchema>;
