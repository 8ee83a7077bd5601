/**
 * The API's schemas, defined once with `t` (TypeBox): they validate requests, check
 * responses and generate the OpenAPI document. Each mirrors a type of the port
 * (src/app/port.ts); test/api/schemas.test.ts proves the two agree in both directions.
 */
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { SYSTEM_STATES } from "../events/types";
import { SERVICE_STATES } from "../supervisor/states";
import { literals, Nullable } from "./schema-helpers";

const Millis = (description: string) => t.Number({ description });

export const ServiceStateSchema = literals(SERVICE_STATES, { description: "A service's state (SPEC §9)." });
export const SystemStateSchema = literals(SYSTEM_STATES, { description: "The orchestrator's overall state." });
export const HealthStatusSchema = literals(["unknown", "healthy", "unhealthy"]);
export const BreakerStateSchema = literals(["closed", "open", "half-open"]);
export const ConditionSchema = literals(["healthy", "started", "completed"]);
export const ActionNameSchema = literals(["start", "stop", "restart"]);

export const ErrorSchema = t.Object(
  {
    error: t.String({ description: "A stable machine-readable code, e.g. UNKNOWN_SERVICE." }),
    message: t.String({ description: "What was expected and what was found." }),
  },
  { examples: [{ error: "UNKNOWN_SERVICE", message: 'expected one of the enabled services (api, db), got "apx"' }] },
);

const DependencySchema = t.Object({ name: t.String(), condition: ConditionSchema });

export const ServiceSummarySchema = t.Object(
  {
    name: t.String(),
    state: ServiceStateSchema,
    phase: Type.Integer({ minimum: 0 }),
    phaseName: t.String(),
    critical: t.Boolean(),
    optional: t.Boolean(),
    pid: Nullable(Type.Integer()),
    port: Nullable(Type.Integer()),
    restarts: Type.Integer({ minimum: 0 }),
    attempt: Type.Integer({ minimum: 0, description: "Position on the healing ladder (0 when none)." }),
    uptimeMs: Millis("Milliseconds since the current process started (0 when not running)."),
    health: t.Object({
      status: HealthStatusSchema,
      latencyMs: Nullable(t.Number()),
      endpoint: Nullable(t.String()),
      checkedAt: Nullable(t.Number({ description: "Epoch milliseconds." })),
      error: Nullable(t.String()),
    }),
    memoryBytes: Nullable(t.Number({ description: "Resident set size of the service's main process." })),
    cpuPercent: Nullable(t.Number({ description: "Percent of one core since the previous sample." })),
    dependsOn: t.Array(DependencySchema),
    breaker: t.Object({ state: BreakerStateSchema, failures: Type.Integer({ minimum: 0 }) }),
    lastReason: Nullable(t.String()),
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

export const ProbeResultSchema = t.Object({
  ok: t.Boolean(),
  latencyMs: t.Number(),
  endpoint: t.Optional(t.String()),
  error: t.Optional(t.String()),
  checkedAt: t.Number(),
});

const HealingActionSchema = literals([
  "detected", "restart-scheduled", "restarted", "recovered", "escalated", "quarantined",
  "breaker-opened", "breaker-half-open", "breaker-closed", "manual-restart", "gave-up",
]);
const HealingTierSchema = literals(["immediate", "graceful", "dependencies", "quarantine", "manual"]);

export const HealingRecordSchema = t.Object({
  service: t.String(),
  action: HealingActionSchema,
  attempt: Type.Integer({ minimum: 0 }),
  tier: t.Optional(HealingTierSchema),
  reason: t.String(),
  delayMs: t.Optional(t.Number()),
  ts: t.Number(),
});

export const StoredHealingSchema = t.Composite([HealingRecordSchema, t.Object({ seq: Type.Integer({ minimum: 1 }) })], {
  examples: [{ service: "api", action: "restart-scheduled", attempt: 1, tier: "immediate", reason: "exited with code 1", delayMs: 1000, ts: 1735689600000, seq: 42 }],
});

const HealthCheckSchema = t.Union([
  t.Object({ kind: t.Literal("http"), path: t.Optional(t.String()), endpoints: t.Array(t.String()), port: t.Optional(Type.Integer()), host: t.String() }),
  t.Object({ kind: t.Literal("tcp"), port: Type.Integer(), host: t.String() }),
  t.Object({ kind: t.Literal("exec"), command: t.String() }),
  t.Null(),
]);

export const ServiceConfigSchema = t.Object(
  {
    name: t.String(),
    command: t.Union([t.Array(t.String()), t.String()]),
    cwd: t.String(),
    env: t.Record(t.String(), t.String(), { description: "Values are redacted for unauthenticated callers when a token is set." }),
    envFile: t.Optional(t.String()),
    port: t.Optional(Type.Integer()),
    phase: Type.Integer({ minimum: 0 }),
    phaseName: t.String(),
    dependsOn: t.Array(DependencySchema),
    optional: t.Boolean(),
    disabled: t.Boolean(),
    critical: t.Boolean(),
    health: t.Object({ check: HealthCheckSchema, intervalMs: t.Number(), timeoutMs: t.Number(), failureThreshold: Type.Integer() }),
    restart: t.Object({
      policy: literals(["always", "on-failure", "never"]),
      backoffMs: t.Array(t.Number()),
      resetAfterMs: t.Number(),
    }),
    shutdown: t.Object({ signal: t.Unsafe<NodeJS.Signals>(t.String({ pattern: "^SIG[A-Z0-9]+$" })), timeoutMs: t.Number() }),
    startupTimeoutMs: t.Number(),
    image: t.Optional(t.String()),
    source: t.Object({
      packageJson: t.Optional(t.String()),
      manifest: t.Boolean(),
      packageManager: t.Optional(literals(["bun", "npm", "pnpm", "yarn"])),
      script: t.Optional(t.String()),
    }),
  },
  { description: "The effective configuration: durations in ms, absolute paths." },
);

export const ServiceDetailSchema = t.Composite([
  ServiceSummarySchema,
  t.Object({ healthHistory: t.Array(ProbeResultSchema), healing: t.Array(StoredHealingSchema), config: ServiceConfigSchema }),
]);

export const StateCountsSchema = t.Object(
  Object.fromEntries(SERVICE_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<(typeof SERVICE_STATES)[number], ReturnType<typeof Type.Integer>>,
);

export const SystemStatusSchema = t.Object(
  {
    name: t.String(),
    state: SystemStateSchema,
    startedAt: Nullable(t.Number()),
    uptimeMs: t.Number(),
    counts: StateCountsSchema,
    total: Type.Integer({ minimum: 0 }),
    healthy: Type.Integer({ minimum: 0 }),
    phase: t.Object({ index: Type.Integer({ minimum: -1 }), name: Nullable(t.String()) }, { description: "The highest phase that has begun launching (-1 before launch)." }),
    reasons: t.Array(t.String()),
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

export const HealthReportSchema = t.Object({
  verdict: literals(["healthy", "degraded", "unhealthy"]),
  checkedAt: t.Number(),
  services: t.Array(
    t.Object({
      name: t.String(),
      state: ServiceStateSchema,
      status: HealthStatusSchema,
      critical: t.Boolean(),
      optional: t.Boolean(),
      endpoint: Nullable(t.String()),
      latencyMs: Nullable(t.Number()),
      reason: Nullable(t.String()),
    }),
  ),
});

export const StatsSchema = t.Object({
  name: t.String(),
  version: t.String(),
  pid: Type.Integer(),
  uptimeMs: t.Number(),
  memory: t.Object({ rssBytes: t.Number(), heapUsedBytes: t.Number() }),
  cpuPercent: Nullable(t.Number()),
  probesRun: Type.Integer({ minimum: 0 }),
  restarts: Type.Integer({ minimum: 0 }),
  events: t.Object({ lastSeq: Type.Integer({ minimum: 0 }), subscribers: Type.Integer({ minimum: 0 }) }),
  services: Type.Integer({ minimum: 0 }),
  storage: t.Object(
    {
      ok: t.Boolean({ description: "False while writes under state.dir (event history, log files) fail; supervision goes on." }),
      lastError: Nullable(t.String({ description: "What the latest failed write said (kept after recovery)." })),
      droppedEvents: Type.Integer({ minimum: 0, description: "Events dropped since start: held in memory while writes failed, past the bound." }),
      droppedLogLines: Type.Integer({ minimum: 0, description: "Service output lines that never reached their log file (disk behind or failing)." }),
    },
    { examples: [{ ok: false, lastError: "cannot write /srv/state/orchestrator.db: database or disk is full (SQLITE_FULL)", droppedEvents: 0, droppedLogLines: 1200 }] },
  ),
});

export const GraphJsonSchema = t.Object(
  {
    nodes: t.Array(
      t.Object({
        name: t.String(),
        phase: Type.Integer({ minimum: 0 }),
        phaseName: t.String(),
        critical: t.Boolean(),
        optional: t.Boolean(),
        disabled: t.Boolean(),
        port: Nullable(Type.Integer()),
      }),
    ),
    edges: t.Array(t.Object({ from: t.String(), to: t.String(), condition: ConditionSchema })),
    phases: t.Array(t.String()),
    order: t.Array(t.String(), { description: "Start order." }),
  },
  {
    examples: [
      {
        nodes: [
          { name: "db", phase: 0, phaseName: "critical", critical: true, optional: false, disabled: false, port: 5432 },
          { name: "api", phase: 1, phaseName: "core", critical: false, optional: false, disabled: false, port: 4001 },
        ],
        edges: [{ from: "api", to: "db", condition: "healthy" }],
        phases: ["critical", "core"],
        order: ["db", "api"],
      },
    ],
  },
);

export const LogLineSchema = t.Object({ ts: t.Number(), stream: literals(["stdout", "stderr"]), line: t.String() });

export const ActionAcceptedSchema = t.Object(
  {
    service: t.String(),
    action: ActionNameSchema,
    from: ServiceStateSchema,
    accepted: t.Literal(true, { description: "The action was accepted; its progress shows on the stream." }),
  },
  { examples: [{ service: "api", action: "restart", from: "healthy", accepted: true }] },
);

export const IssueSchema = t.Object({
  file: t.String(),
  line: Type.Integer(),
  col: Type.Integer(),
  path: t.String(),
  message: t.String(),
  severity: literals(["error", "warning"]),
});

export const ReloadDiffSchema = t.Object(
  {
    added: t.Array(t.String()),
    removed: t.Array(t.String()),
    changed: t.Array(t.Object({ name: t.String(), fields: t.Array(t.String()) }), { description: "Restarted with the new config." }),
    unchanged: t.Array(t.String()),
    updated: t.Optional(t.Array(t.Object({ name: t.String(), fields: t.Array(t.String()) }), { description: "Changed in place, same pid." })),
    ignored: t.Optional(t.Array(t.Object({ key: t.String(), reason: t.String() }), { description: "Keys that need a restart of the orchestrator." })),
  },
  {
    examples: [
      { added: ["search"], removed: [], changed: [{ name: "api", fields: ["env.LOG_LEVEL"] }], unchanged: ["db"], updated: [{ name: "db", fields: ["restart.policy"] }], ignored: [] },
    ],
  },
);

export const ReloadRejectedSchema = t.Composite([ErrorSchema, t.Object({ issues: t.Array(IssueSchema) })]);
