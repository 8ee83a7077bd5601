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
export type BreakerView = Static<typeof BreakerViewSchema>;
export type ServiceSummary = Static<typeof ServiceSummarySchema>;
export type ServiceDetail = Static<typeof ServiceDetailSchema>;
