/**
 * The effective configuration: what the manifest and discovery resolve to after defaults
 * (src/manifest/resolve.ts builds it). Every duration is in milliseconds and every path is
 * absolute. Everything downstream (graph, supervisor, api, export) reads only these types,
 * never the raw YAML, whose input schema is src/manifest/schema.ts.
 * To add a manifest key: its input in manifest/schema.ts, its resolved field here, the
 * resolution in manifest/resolve.ts (and, if a reload should apply it, supervisor/config-diff.ts).
 */
import { Type, type Static } from "@sinclair/typebox";
import { literals } from "./schema-helpers";
import { DEPENDENCY_CONDITIONS } from "./states";

export const RESTART_POLICIES = ["always", "on-failure", "never"] as const;
export const PACKAGE_MANAGERS = ["bun", "npm", "pnpm", "yarn"] as const;
export const LOG_FORMATS = ["raw", "json"] as const;
/** How an alert's POST body is shaped (SPEC §16). */
export const ALERT_FORMATS = ["json", "slack", "ntfy"] as const;
/**
 * What an alert can be sent for. The default set (DEFAULT_ALERT_EVENTS) is the SPEC's; the
 * others are there to ask for: every failure, a `policy: never` service giving up, recoveries.
 * `watchdog` and `rolled-back` come from readiness (§14) and rollouts (§15) where they run.
 */
export const ALERT_KINDS = ["quarantined", "breaker-opened", "incident", "memory", "watchdog", "rolled-back", "failure", "gave-up", "recovered", "breaker-closed"] as const;
export const DEFAULT_ALERT_EVENTS = ["quarantined", "breaker-opened", "incident", "memory", "watchdog", "rolled-back"] as const;

export const DependencyConditionSchema = literals(DEPENDENCY_CONDITIONS);
export const DependencySchema = Type.Object({ name: Type.String(), condition: DependencyConditionSchema });

const HttpCheckSchema = Type.Object({
  kind: Type.Literal("http"),
  path: Type.Optional(Type.String({ description: "Probe only this path; without it, try `endpoints` in order and remember the first that answers." })),
  endpoints: Type.Array(Type.String()),
  port: Type.Optional(Type.Integer()),
  host: Type.String(),
});
const TcpCheckSchema = Type.Object({ kind: Type.Literal("tcp"), port: Type.Integer(), host: Type.String() });
const ExecCheckSchema = Type.Object({ kind: Type.Literal("exec"), command: Type.String() });

export const HealthCheckSchema = Type.Union([HttpCheckSchema, TcpCheckSchema, ExecCheckSchema]);

export const HealthConfigSchema = Type.Object({
  check: Type.Union([HttpCheckSchema, TcpCheckSchema, ExecCheckSchema, Type.Null()], { description: "null: no probe; a running process counts as healthy (ready after 1 s)." }),
  intervalMs: Type.Number(),
  timeoutMs: Type.Number(),
  failureThreshold: Type.Integer(),
});

/** What makes a service ready (SPEC §14), instead of its first passing health probe. */
export const ReadyConfigSchema = Type.Union([
  Type.Object({ kind: Type.Literal("log"), pattern: Type.String({ description: "A regular expression matched against each output line (stdout and stderr)." }) }),
  Type.Object({ kind: Type.Literal("systemd"), watchdogMs: Type.Optional(Type.Number({ description: "WATCHDOG_USEC: a WATCHDOG=1 is due within this time." })) }, { description: "sd_notify(3): READY=1 on NOTIFY_SOCKET." }),
  Type.Object({ kind: Type.Literal("fd"), fd: Type.Integer({ minimum: 3 }) }, { description: "s6 style: a newline written to this fd." }),
  Type.Object({ kind: Type.Literal("probe"), check: HealthCheckSchema, intervalMs: Type.Number(), timeoutMs: Type.Number() }, { description: "A probe used for readiness only." }),
]);

export const RestartConfigSchema = Type.Object({
  policy: literals(RESTART_POLICIES),
  backoffMs: Type.Array(Type.Number()),
  resetAfterMs: Type.Number(),
});

export const ShutdownConfigSchema = Type.Object({
  signal: Type.Unsafe<NodeJS.Signals>(Type.String({ pattern: "^SIG[A-Z0-9]+$" })),
  timeoutMs: Type.Number(),
  command: Type.Optional(Type.String({ description: "Run instead of sending the signal (same user, cwd, environment, plus MAINPID)." })),
});

/** Who a service runs as, resolved when the manifest is loaded (user and group names looked up then). */
export const AccountSchema = Type.Object({
  user: Type.String({ description: "User name (or the uid as written, when it has no name)." }),
  uid: Type.Integer({ minimum: 0 }),
  group: Type.String(),
  gid: Type.Integer({ minimum: 0 }),
  groups: Type.Array(Type.Integer({ minimum: 0 }), { description: "Supplementary groups, as initgroups(3) gives them for the user." }),
  home: Type.String({ description: "HOME for the service (unless its env sets one)." }),
});

const RlimitSchema = Type.Union([Type.Integer({ minimum: 0 }), Type.Literal("unlimited")]);

export const LimitsConfigSchema = Type.Object({
  memoryBytes: Type.Optional(Type.Integer({ minimum: 0, description: "Ceiling of the RSS summed over the process group." })),
  nofile: Type.Optional(RlimitSchema),
  nproc: Type.Optional(RlimitSchema),
  core: Type.Optional(RlimitSchema),
});

export const LogsConfigSchema = Type.Object({
  maxBytes: Type.Integer({ minimum: 0 }),
  keep: Type.Integer({ minimum: 0 }),
  format: literals(LOG_FORMATS),
});

/** SPEC §15: the built-in TCP proxy in front of a service's instances. */
export const ProxyConfigSchema = Type.Object({ port: Type.Integer(), host: Type.String() });
/** SPEC §15: how a restart or reload replaces instances (maxSurge > 0 with a proxy: a new instance first, on a spare port). */
export const UpdateConfigSchema = Type.Object({
  maxUnavailable: Type.Integer({ minimum: 0, description: "Instances that may be down at once during a restart (0: each replacement is ready before its old one stops)." }),
  maxSurge: Type.Integer({ minimum: 0, description: "Instances started beside the old ones (1: a new instance on a spare port, ready before the switch)." }),
});
/** Which instance of a replicated service a config is (set when the supervisor expands `replicas`). */
export const ReplicaSchema = Type.Object({ group: Type.String(), index: Type.Integer({ minimum: 1 }), basePort: Type.Optional(Type.Integer()) });

export const ServiceConfigSchema = Type.Object(
  {
    name: Type.String(),
    command: Type.Union([Type.Array(Type.String()), Type.String()], { description: "argv array (exec'd directly) or a string (run under `sh -c`)." }),
    cwd: Type.String(),
    env: Type.Record(Type.String(), Type.String(), { description: "The environment the service starts with, values included: with api.token set, only a caller with the token reads it." }),
    envFile: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer()),
    phase: Type.Integer({ minimum: 0 }),
    phaseName: Type.String(),
    dependsOn: Type.Array(DependencySchema),
    optional: Type.Boolean(),
    disabled: Type.Boolean(),
    critical: Type.Boolean({ description: "Phase 0 services are critical: failing to start aborts the launch." }),
    health: HealthConfigSchema,
    restart: RestartConfigSchema,
    shutdown: ShutdownConfigSchema,
    startupTimeoutMs: Type.Number(),
    ready: Type.Optional(ReadyConfigSchema),
    image: Type.Optional(Type.String({ description: "Container image for `export`." })),
    user: Type.Optional(Type.String({ description: "As written in the manifest (a name or a uid)." })),
    group: Type.Optional(Type.String({ description: "As written in the manifest (a name or a gid)." })),
    account: Type.Optional(AccountSchema),
    umask: Type.Optional(Type.String({ description: 'Octal, e.g. "0027".' })),
    nice: Type.Optional(Type.Integer({ minimum: -20, maximum: 19 })),
    limits: LimitsConfigSchema,
    protected: Type.Boolean({ description: "Never restarted by another service's healing (default: true in phase 0)." }),
    pidFile: Type.Optional(Type.String({ description: "Absolute path: the pid a forking daemon writes, supervised instead of the started process." })),
    logs: LogsConfigSchema,
    data: Type.Optional(Type.Array(Type.String(), { description: "Absolute paths where the service keeps its state (SPEC §17); exports mount them as volumes." })),
    replicas: Type.Optional(Type.Integer({ minimum: 1, description: "Instances NAME@1..N (SPEC §15); absent or 1: the service runs under its own name." })),
    proxy: Type.Optional(ProxyConfigSchema),
    update: Type.Optional(UpdateConfigSchema),
    replica: Type.Optional(ReplicaSchema),
    source: Type.Object(
      {
        packageJson: Type.Optional(Type.String()),
        manifest: Type.Boolean(),
        packageManager: Type.Optional(literals(PACKAGE_MANAGERS)),
        script: Type.Optional(Type.String()),
      },
      { description: "Where the service came from: a discovered package.json, the manifest, or both." },
    ),
  },
  { description: "The effective configuration: durations in ms, absolute paths." },
);

export const AlertConfigSchema = Type.Object({
  url: Type.String({ description: "Where the alert is POSTed. Secret (it often carries a token): shown redacted, never logged." }),
  format: literals(ALERT_FORMATS),
  events: Type.Array(literals(ALERT_KINDS)),
  minIntervalMs: Type.Number({ description: "One alert per (kind, service) per interval; the rest are counted in the next one." }),
});

export const HealingConfigSchema = Type.Object({
  maxConcurrentRestarts: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: "Restarts in flight at once, fleet-wide; null: no cap." }),
  incident: Type.Union([Type.Object({ windowMs: Type.Number(), services: Type.Integer({ minimum: 2 }) }), Type.Null()], {
    description: "`services` or more services failing within `windowMs` are one incident; null: off.",
  }),
});

export const CircuitBreakerConfigSchema = Type.Object({ failureThreshold: Type.Integer(), windowMs: Type.Number(), cooldownMs: Type.Number() });

export const ConfigSchema = Type.Object({
  file: Type.String({ description: "Absolute path of the manifest file." }),
  dir: Type.String({ description: "Its directory: the base of relative paths." }),
  name: Type.String(),
  api: Type.Object({
    host: Type.String(),
    port: Type.Integer(),
    token: Type.Optional(Type.String()),
    cors: Type.Array(Type.String()),
    allowedHosts: Type.Optional(Type.Array(Type.String())),
  }),
  stateDir: Type.String(),
  launch: Type.Object({
    concurrency: Type.Integer(),
    criticalConcurrency: Type.Integer({ description: "1 (the default) launches phase 0 serially." }),
    startupTimeoutMs: Type.Number(),
  }),
  phases: Type.Array(Type.String()),
  circuitBreaker: CircuitBreakerConfigSchema,
  alerts: Type.Optional(Type.Array(AlertConfigSchema, { description: "Absent: none." })),
  healing: Type.Optional(HealingConfigSchema),
  services: Type.Array(ServiceConfigSchema, { description: "Enabled and disabled services alike, in a stable order (by name)." }),
});

export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export type Dependency = Static<typeof DependencySchema>;
export type HealthCheck = Static<typeof HealthCheckSchema>;
export type HealthConfig = Static<typeof HealthConfigSchema>;
export type ReadyConfig = Static<typeof ReadyConfigSchema>;
export type RestartConfig = Static<typeof RestartConfigSchema>;
export type ShutdownConfig = Static<typeof ShutdownConfigSchema>;
export type Account = Static<typeof AccountSchema>;
export type LimitsConfig = Static<typeof LimitsConfigSchema>;
export type LogsConfig = Static<typeof LogsConfigSchema>;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type ServiceConfig = Static<typeof ServiceConfigSchema>;
export type CircuitBreakerConfig = Static<typeof CircuitBreakerConfigSchema>;
export type Config = Static<typeof ConfigSchema>;
export type ProxyConfig = Static<typeof ProxyConfigSchema>;
export type UpdateConfig = Static<typeof UpdateConfigSchema>;
export type AlertFormat = (typeof ALERT_FORMATS)[number];
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertConfig = Static<typeof AlertConfigSchema>;
export type HealingConfig = Static<typeof HealingConfigSchema>;
