/** One service as the API shows it: its summary, its health, its detail. */
import { Type, type Static } from "@sinclair/typebox";
import { DependencySchema, ServiceConfigSchema } from "./config";
import { StoredHealingSchema } from "./events";
import { literals, Nullable } from "./schema-helpers";
import { ServiceStateSchema } from "./state-schemas";

export const HEALTH_STATUSES = ["unknown", "healthy", "unhealthy"] as const;
export const BREAKER_STATES = ["closed", "open", "half-open"] as const;

export const HealthStatusSchema = literals(HEALTH_STATUSES);
export const BreakerStateSchema = literals(BREAKER_STATES);

/** The latest probe result of a service, as the supervisor keeps it. */
export const ServiceHealthSchema = Type.Object({
  status: HealthStatusSchema,
  latencyMs: Nullable(Type.Number()),
  endpoint: Nullable(Type.String()),
  checkedAt: Nullable(Type.Number({ description: "Epoch milliseconds." })),
  error: Nullable(Type.String()),
});

export const ProbeResultSchema = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  endpoint: Type.Optional(Type.String({ description: "http: the path that answered; tcp: host:port; exec: the command." })),
  error: Type.Optional(Type.String({ description: 'Why it failed, e.g. "ECONNREFUSED", "timeout after 5000ms", "HTTP 503".' })),
  checkedAt: Type.Number(),
});

export const READINESS_SOURCES = ["health", "none", "log", "systemd", "fd", "http", "tcp", "exec"] as const;

/** How the service becomes ready (SPEC §14) and what it said about it; its liveness is `health`. */
export const ReadinessViewSchema = Type.Object({
  source: literals(READINESS_SOURCES, {
    description: "health: its first passing health probe; none: running 1 s; log, systemd (sd_notify READY=1), fd (a newline on its notification fd), http, tcp, exec: its `ready`.",
  }),
  ready: Type.Boolean({ description: "Ready in the current run." }),
  signal: Nullable(Type.String({ description: 'What made it ready: "READY=1", "log line matched: …", "newline on fd 3", "http probe passed (/ready)".' })),
  readyAt: Nullable(Type.Number({ description: "Epoch milliseconds." })),
  status: Nullable(Type.String({ description: "The latest sd_notify STATUS= text." })),
  mainPid: Nullable(Type.Integer({ description: "The latest sd_notify MAINPID=." })),
  stopping: Type.Boolean({ description: "It sent STOPPING=1." }),
  watchdogMs: Nullable(Type.Number({ description: "The sd_notify watchdog timeout (WATCHDOG_USEC), null without one." })),
  lastPingAt: Nullable(Type.Number({ description: "When its watchdog was last fed (WATCHDOG=1), epoch ms." })),
  lastCheck: Nullable(Type.String({ description: "While starting: why its readiness probe last failed." })),
});

export const BreakerViewSchema = Type.Object({ state: BreakerStateSchema, failures: Type.Integer({ minimum: 0 }) });

export const ServiceSummarySchema = Type.Object(
  {
    name: Type.String(),
    state: ServiceStateSchema,
    phase: Type.Integer({ minimum: 0 }),
    phaseName: Type.String(),
    critical: Type.Boolean(),
    optional: Type.Boolean(),
    pid: Nullable(Type.Integer()),
    port: Nullable(Type.Integer()),
    restarts: Type.Integer({ minimum: 0 }),
    attempt: Type.Integer({ minimum: 0, description: "Position on the healing ladder (0 when none)." }),
    uptimeMs: Type.Number({ description: "Milliseconds since the current process started (0 when not running)." }),
    health: ServiceHealthSchema,
    readiness: ReadinessViewSchema,
    memoryBytes: Nullable(Type.Number({ description: "Resident set size of the service's main process." })),
    cpuPercent: Nullable(Type.Number({ description: "Percent of one core since the previous sample." })),
    dependsOn: Type.Array(DependencySchema),
    breaker: BreakerViewSchema,
    lastReason: Nullable(Type.String()),
  },
  {
    examples: [
      {
        name: "api", state: "healthy", phase: 1, phaseName: "core", critical: false, optional: false, pid: 4242, port: 4001,
        restarts: 0, attempt: 0, uptimeMs: 61000,
        health: { status: "healthy", latencyMs: 2.1, endpoint: "/health", checkedAt: 1735689600000, error: null },
        readiness: { source: "systemd", ready: true, signal: "READY=1", readyAt: 1735689539000, status: "accepting connections", mainPid: 4242, stopping: false, watchdogMs: null, lastPingAt: null, lastCheck: null },
        memoryBytes: 52428800, cpuPercent: 0.4, dependsOn: [{ name: "db", condition: "healthy" }],
        breaker: { state: "closed", failures: 0 }, lastReason: null,
      },
    ],
  },
);

export const ServiceDetailSchema = Type.Composite([
  ServiceSummarySchema,
  Type.Object({ healthHistory: Type.Array(ProbeResultSchema), healing: Type.Array(StoredHealingSchema), config: ServiceConfigSchema }),
]);

export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export type BreakerState = (typeof BREAKER_STATES)[number];
export type ServiceHealth = Static<typeof ServiceHealthSchema>;
export type ProbeResult = Static<typeof ProbeResultSchema>;
export type ReadinessSource = (typeof READINESS_SOURCES)[number];
export type ReadinessView = Static<typeof ReadinessViewSchema>;
export type BreakerView = Static<typeof BreakerViewSchema>;
export type ServiceSummary = Static<typeof ServiceSummarySchema>;
export type ServiceDetail = Static<typeof ServiceDetailSchema>;
