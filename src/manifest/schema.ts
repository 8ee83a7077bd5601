/**
 * The manifest schema: the single source of truth for validation, the published JSON Schema
 * (`orchestrator schema`, orchestrator.schema.json) and the TypeScript types of raw input.
 * What the input resolves to is the contract's Config (src/contract/config.ts); the word
 * lists the two share (dependency conditions, restart policies) are defined there.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { ALERT_FORMATS, ALERT_KINDS, RESTART_POLICIES } from "../contract/config";
import { literals } from "../contract/schema-helpers";
import { DEPENDENCY_CONDITIONS } from "../contract/states";
import { LOG_FORMATS } from "../contract/config";
import { SIZE_PATTERN } from "../lib/size";

const Duration = T.Union(
  [T.Number({ minimum: 0 }), T.String({ pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$" })],
  { title: "duration", description: "A duration: `250ms`, `5s`, `2m`, `1h`, or a number of milliseconds.", examples: ["250ms", "5s", 1000] },
);
/** The shortest duration a schema node accepts, in ms (check-schema enforces it; not part of the published JSON Schema). */
export const MINIMUM_MS: unique symbol = Symbol("minimumMs");
/** A duration of at least `floor` ms: `expected at least 100ms, got 10ms`. */
const DurationAtLeast = (floor: number): typeof Duration => ({ ...Duration, [MINIMUM_MS]: floor });
const Port = T.Integer({ minimum: 1, maximum: 65535, description: "A TCP port." });
const Size = T.Union([T.Integer({ minimum: 0 }), T.String({ pattern: SIZE_PATTERN })], {
  title: "size",
  description: "A size: `512KiB`, `64MiB`, `1GiB`, `10MB`, or a number of bytes.",
  examples: ["64MiB", "1GiB", 1048576],
});
const RlimitValue = (description: string) => T.Union([T.Integer({ minimum: 0 }), T.Literal("unlimited")], { description });
const Account = (what: string) => T.Union([T.String({ minLength: 1, pattern: "^[A-Za-z0-9_.][A-Za-z0-9_.-]*\\$?$" }), T.Integer({ minimum: 0 })], { description: `${what} name or numeric id.` });
const Signal = T.Union(
  ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2"].map((s) => T.Literal(s)),
  { description: "Signal sent to the service's process group on stop." },
);
const Condition = literals(DEPENDENCY_CONDITIONS, { description: "What the dependency must reach before this service starts." });
const Strict = { additionalProperties: false } as const;
/** Where `x-` keys are allowed (for YAML anchors, as in Compose): ignored by the orchestrator. */
const Extensible = { additionalProperties: false, patternProperties: { "^x-": {} } } as const;

export const HealthSchema = T.Union(
  [
    T.Literal(false, { description: "No probe: a running process counts as healthy." }),
    T.Object(
      {
        http: T.Optional(T.String({ description: "Probe only this path with GET (2xx/3xx is healthy)." })),
        tcp: T.Optional(T.Union([Port, T.Literal(true)], { description: "Connect to this port; `true`: the service's own `port`." })),
        exec: T.Optional(T.String({ description: "Run under sh -c; exit 0 is healthy." })),
        host: T.Optional(T.String({ description: "Host to probe (default 127.0.0.1)." })),
        endpoints: T.Optional(T.Array(T.String(), { description: "Paths tried in order when `http` is not given." })),
        // Probing faster than 10 times a second costs CPU for nothing; a zero timeout could never pass.
        interval: T.Optional(DurationAtLeast(100)),
        timeout: T.Optional(DurationAtLeast(1)),
        failureThreshold: T.Optional(T.Integer({ minimum: 1 })),
      },
      Strict,
    ),
  ],
  { description: "Health probe; `false` disables probing." },
);

/** SPEC §14: what makes the service ready; exactly one source. */
export const ReadySchema = T.Object(
  {
    log: T.Optional(T.String({ minLength: 1, description: "A regular expression matched against each output line (stdout and stderr)." })),
    notify: T.Optional(
      T.Union([T.Literal("systemd"), T.Literal("fd")], {
        description: "systemd: READY=1 on NOTIFY_SOCKET (sd_notify); fd: a newline written to `fd` (s6 notification-fd).",
      }),
    ),
    fd: T.Optional(T.Integer({ minimum: 3, maximum: 1023, description: "With notify: fd, the descriptor the service writes its newline to." })),
    http: T.Optional(T.String({ description: "A readiness-only probe: GET this path (2xx/3xx is ready)." })),
    tcp: T.Optional(T.Union([Port, T.Literal(true)], { description: "A readiness-only probe: connect to this port; `true`: the service's own `port`." })),
    exec: T.Optional(T.String({ description: "A readiness-only probe: run under sh -c; exit 0 is ready." })),
    host: T.Optional(T.String({ description: "Host to probe (default 127.0.0.1)." })),
    interval: T.Optional(DurationAtLeast(100)),
    timeout: T.Optional(DurationAtLeast(1)),
  },
  { ...Strict, description: "What makes the service ready (dependents start); `health` is then the liveness probe. Without it, the first passing health probe." },
);

export const RestartSchema = T.Object(
  {
    policy: T.Optional(literals(RESTART_POLICIES)),
    backoff: T.Optional(T.Array(Duration, { minItems: 1, description: "Wait before attempt n is backoff[n-1] (last repeats)." })),
    resetAfter: T.Optional(Duration),
  },
  Strict,
);

export const ShutdownSchema = T.Object({ signal: T.Optional(Signal), timeout: T.Optional(Duration) }, Strict);

/** A service's shutdown may also name a command that stops it instead of the signal. */
export const ServiceShutdownSchema = T.Object(
  {
    ...ShutdownSchema.properties,
    command: T.Optional(
      T.String({
        minLength: 1,
        description: "Stops the service instead of the signal (same user, cwd and environment, plus MAINPID); then `timeout`, then SIGKILL of the group.",
      }),
    ),
  },
  Strict,
);

export const LogsSchema = T.Object(
  {
    maxSize: T.Optional(Size),
    keep: T.Optional(T.Integer({ minimum: 0, description: "Rotated files kept (NAME.log.1 … NAME.log.KEEP)." })),
    format: T.Optional(literals(LOG_FORMATS, { description: "raw: `ts stream line`; json: one `{ts, stream, line}` per line." })),
  },
  { ...Strict, description: "Each service's log file state.dir/logs/NAME.log: rotated at maxSize (default 10MB), keep (default 5) kept." },
);

export const LimitsSchema = T.Object(
  {
    memory: T.Optional(T.Union(Size.anyOf, { title: "size", description: "Ceiling of the RSS summed over the service's process group, sampled each second; crossing it is a failure (reason memory, graceful tier)." })),
    nofile: T.Optional(RlimitValue("RLIMIT_NOFILE: open files.")),
    nproc: T.Optional(RlimitValue("RLIMIT_NPROC: processes of the service's user.")),
    core: T.Optional(T.Union([...Size.anyOf, T.Literal("unlimited")], { description: "RLIMIT_CORE: the largest core dump, in bytes." })),
  },
  Strict,
);

export const AlertSchema = T.Object(
  {
    url: T.String({ minLength: 1, description: "POSTed to (http or https); `${VAR}` keeps a secret out of the file. Shown redacted by the API, never logged." }),
    format: T.Optional(literals(ALERT_FORMATS, { description: "json: {kind, service, reason, attempt, ts, fleet}; slack: {text}; ntfy: text body and a Title header. Default json." })),
    events: T.Optional(
      T.Array(literals(ALERT_KINDS), { minItems: 1, description: "What to alert on. Default: quarantined, breaker-opened, incident, memory, watchdog, rolled-back." }),
    ),
    minInterval: T.Optional(Duration),
  },
  { ...Strict, description: "An HTTP endpoint told of what needs an operator (SPEC §16)." },
);

export const HealingSchema = T.Object(
  {
    maxConcurrentRestarts: T.Optional(T.Integer({ minimum: 1, description: "Restarts in flight at once, fleet-wide; the rest wait in phase order. Default: no cap." })),
    incident: T.Optional(
      T.Union([
        T.Literal(false, { description: "No incident grouping." }),
        T.Object(
          { window: T.Optional(Duration), services: T.Optional(T.Integer({ minimum: 2, description: "Failed services that make an incident (default 3)." })) },
          { ...Strict, description: "Failures of `services` or more services within `window` (default 30s) are one incident, alerted once." },
        ),
      ]),
    ),
  },
  Strict,
);

export const ServiceSchema = T.Object(
  {
    command: T.Optional(
      T.Union([T.Array(T.String(), { minItems: 1 }), T.String({ minLength: 1 })], {
        description: "argv array (exec'd directly) or a string (run under sh -c).",
      }),
    ),
    cwd: T.Optional(T.String({ description: "Working directory, relative to the manifest." })),
    env: T.Optional(T.Record(T.String(), T.Union([T.String(), T.Number(), T.Boolean()]))),
    envFile: T.Optional(T.String({ description: "KEY=VALUE file, relative to the service's cwd." })),
    port: T.Optional(Port),
    phase: T.Optional(T.Union([T.String(), T.Integer({ minimum: 0 })], { description: "Phase name or index." })),
    dependsOn: T.Optional(
      T.Union([T.Array(T.String()), T.Record(T.String(), Condition)], {
        description: "Names, or a map of name to condition (default healthy).",
      }),
    ),
    optional: T.Optional(T.Boolean({ description: "An optional service's failure never blocks the launch." })),
    disabled: T.Optional(T.Boolean()),
    health: T.Optional(HealthSchema),
    restart: T.Optional(RestartSchema),
    shutdown: T.Optional(ServiceShutdownSchema),
    startupTimeout: T.Optional(Duration),
    ready: T.Optional(ReadySchema),
    watchdog: T.Optional({
      ...DurationAtLeast(1),
      description: "With ready: { notify: systemd }: exported as WATCHDOG_USEC; no WATCHDOG=1 within it is a failure (reason watchdog).",
    }),
    image: T.Optional(T.String({ description: "Container image used by `export`." })),
    user: T.Optional(Account("User to run as:")),
    group: T.Optional(Account("Group to run as (default: the user's primary group):")),
    umask: T.Optional(T.String({ pattern: "^0?[0-7]{3}$", description: 'File mode creation mask, octal, e.g. "0027".' })),
    nice: T.Optional(T.Integer({ minimum: -20, maximum: 19, description: "Scheduling priority (nice value)." })),
    limits: T.Optional(LimitsSchema),
    protected: T.Optional(
      T.Boolean({ description: "Never restarted by another service's healing (the dependencies tier). Default: true in phase 0, false elsewhere." }),
    ),
    pidFile: T.Optional(
      T.String({ minLength: 1, description: "For a daemon that forks: supervise the pid it writes there (relative to cwd)." }),
    ),
    logs: T.Optional(LogsSchema),
    data: T.Optional(
      T.Array(T.String({ minLength: 1 }), {
        uniqueItems: true,
        description: "Where the service keeps its state (relative to cwd): `check` warns when one is missing or not writable by `user`; exports mount each as a volume.",
      }),
    ),
    replicas: T.Optional(T.Integer({ minimum: 1, maximum: 64, description: "Instances NAME@1..N; instance i gets PORT = port + i - 1 and ORCHESTRATOR_REPLICA=i." })),
    proxy: T.Optional(
      T.Object(
        { port: Port, host: T.Optional(T.String({ minLength: 1, description: "Address the proxy listens on (default 127.0.0.1)." })) },
        { ...Strict, description: "A TCP proxy inside the orchestrator that forwards each connection to a ready instance, round robin." },
      ),
    ),
    update: T.Optional(
      T.Object(
        {
          maxUnavailable: T.Optional(T.Integer({ minimum: 0, description: "Instances down at once during a restart (default 0 with a proxy, else 1)." })),
          maxSurge: T.Optional(T.Integer({ minimum: 0, maximum: 1, description: "1: with a proxy, start the replacement on a spare port and switch once it is ready (default 1 with a proxy, else 0)." })),
        },
        { ...Strict, description: "How restarts and reloads replace instances (SPEC §15)." },
      ),
    ),
  },
  Extensible,
);

export const ManifestSchema = T.Object(
  {
    $schema: T.Optional(T.String()),
    version: T.Literal(1),
    name: T.Optional(T.String({ minLength: 1 })),
    api: T.Optional(
      T.Object(
        {
          host: T.Optional(T.String()),
          port: T.Optional(Port),
          token: T.Optional(T.String()),
          cors: T.Optional(T.Array(T.String())),
          allowedHosts: T.Optional(
            T.Array(T.String({ pattern: "^(\\.?[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]?)$" }), {
              description:
                "Host names (or addresses) the API answers to besides loopback and api.host; any other Host header gets 421 (DNS rebinding). A leading dot (.example.com) allows the domain and its subdomains.",
            }),
          ),
        },
        Strict,
      ),
    ),
    discovery: T.Optional(
      T.Object({ roots: T.Optional(T.Array(T.String())), ignore: T.Optional(T.Array(T.String())) }, Strict),
    ),
    state: T.Optional(T.Object({ dir: T.Optional(T.String()) }, Strict)),
    launch: T.Optional(
      T.Object(
        {
          concurrency: T.Optional(T.Integer({ minimum: 1, description: "Services of later phases starting at once." })),
          criticalConcurrency: T.Optional(
            T.Integer({ minimum: 1, description: "Phase 0 services starting at once, still in dependency order (default 1: serial)." }),
          ),
          startupTimeout: T.Optional(Duration),
        },
        Strict,
      ),
    ),
    phases: T.Optional(T.Array(T.String({ minLength: 1 }), { minItems: 1 })),
    logs: T.Optional(LogsSchema),
    defaults: T.Optional(
      T.Object(
        { health: T.Optional(HealthSchema), restart: T.Optional(RestartSchema), shutdown: T.Optional(ShutdownSchema) },
        Strict,
      ),
    ),
    circuitBreaker: T.Optional(
      T.Object(
        { failureThreshold: T.Optional(T.Integer({ minimum: 1 })), window: T.Optional(Duration), cooldown: T.Optional(Duration) },
        Strict,
      ),
    ),
    alerts: T.Optional(T.Array(AlertSchema)),
    healing: T.Optional(HealingSchema),
    services: T.Optional(T.Record(T.String({ pattern: "^[a-zA-Z0-9][a-zA-Z0-9._-]*$" }), ServiceSchema)),
  },
  { ...Extensible, title: "orchestrator.yaml", description: "Manifest of an orchestrator fleet." },
);

/** The `orchestrator` field of a discovered package.json. */
export const PackageFieldSchema = T.Object(
  {
    port: T.Optional(Port),
    phase: T.Optional(T.Union([T.String(), T.Integer({ minimum: 0 })])),
    dependsOn: ServiceSchema.properties.dependsOn,
    health: T.Optional(HealthSchema),
    optional: T.Optional(T.Boolean()),
  },
  Strict,
);

export type RawManifest = Static<typeof ManifestSchema>;
export type RawService = Static<typeof ServiceSchema>;
export type RawHealth = Static<typeof HealthSchema>;

/** The JSON Schema document published for editors. */
export function toJsonSchema(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...JSON.parse(JSON.stringify(ManifestSchema)),
  };
}
