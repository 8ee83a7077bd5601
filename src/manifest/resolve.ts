/**
 * Turns the checked manifest and the merged service drafts into the effective Config:
 * a pipeline of small functions, each applying one group of defaults.
 */
import { isAbsolute, resolve } from "node:path";
import { parseDuration } from "../lib/duration";
import { parseSize } from "../lib/size";
import type { RawHealth, RawManifest, RawService } from "./schema";
import { DEFAULT_ALERT_EVENTS, type AlertConfig, type Config, type HealingConfig, type HealthCheck, type HealthConfig, type LimitsConfig, type LogsConfig, type ReadyConfig, type ServiceConfig } from "../contract/config";
import { DEFAULTS, DEFAULT_PHASES } from "./defaults";
import { assignDefaultPhases } from "./default-phases";
import { normalizeDeps, type ServiceDraft } from "./merge";

const ms = (value: unknown, fallback: string | number): number => parseDuration(value) ?? parseDuration(fallback)!;

export function resolveConfig(file: string, raw: RawManifest, drafts: ServiceDraft[]): Config {
  const dir = resolve(file, "..");
  const phases = raw.phases ?? [...DEFAULT_PHASES];
  const config: Config = {
    file,
    dir,
    name: raw.name ?? dir.split("/").pop() ?? "orchestrator",
    api: {
      host: raw.api?.host || DEFAULTS.api.host,
      port: raw.api?.port ?? DEFAULTS.api.port,
      token: raw.api?.token || undefined,
      cors: raw.api?.cors ?? [],
      allowedHosts: raw.api?.allowedHosts ?? [],
    },
    stateDir: resolve(dir, raw.state?.dir ?? DEFAULTS.state.dir),
    launch: {
      concurrency: raw.launch?.concurrency ?? DEFAULTS.launch.concurrency,
      criticalConcurrency: raw.launch?.criticalConcurrency ?? DEFAULTS.launch.criticalConcurrency,
      startupTimeoutMs: ms(raw.launch?.startupTimeout, DEFAULTS.launch.startupTimeout),
    },
    phases,
    circuitBreaker: {
      failureThreshold: raw.circuitBreaker?.failureThreshold ?? DEFAULTS.circuitBreaker.failureThreshold,
      windowMs: ms(raw.circuitBreaker?.window, DEFAULTS.circuitBreaker.window),
      cooldownMs: ms(raw.circuitBreaker?.cooldown, DEFAULTS.circuitBreaker.cooldown),
    },
    alerts: resolveAlerts(raw.alerts),
    healing: resolveHealing(raw.healing),
    services: [],
  };
  config.services = drafts.map((d) => resolveService(d, raw, config));
  const explicit = new Set(drafts.filter((d) => d.spec.phase !== undefined).map((d) => d.name));
  assignDefaultPhases(config.services, explicit, phases.length > 1 ? 1 : 0);
  const protectedAsWritten = new Map(drafts.map((d) => [d.name, d.spec.protected]));
  for (const s of config.services) {
    s.phaseName = phases[s.phase] ?? String(s.phase);
    // phase 0 services are protected from other services' healing unless they say otherwise
    s.protected = protectedAsWritten.get(s.name) ?? s.phase === 0;
  }
  return config;
}

function resolveService(draft: ServiceDraft, raw: RawManifest, config: Config): ServiceConfig {
  const spec = draft.spec;
  const cwd = spec.cwd ? (isAbsolute(spec.cwd) ? spec.cwd : resolve(config.dir, spec.cwd)) : config.dir;
  const phase = resolvePhaseIndex(spec.phase, config.phases);
  const service: ServiceConfig = {
    name: draft.name,
    command: spec.command ?? "",
    cwd,
    env: resolveEnv(spec),
    envFile: spec.envFile ? resolve(cwd, spec.envFile) : undefined,
    port: spec.port,
    phase: phase ?? -1,
    phaseName: "",
    dependsOn: Object.entries(normalizeDeps(spec.dependsOn)).map(([name, condition]) => ({ name, condition })),
    optional: spec.optional ?? false,
    disabled: spec.disabled ?? false,
    critical: false,
    health: resolveHealth(spec.health, raw.defaults?.health, spec.port),
    restart: {
      policy: spec.restart?.policy ?? raw.defaults?.restart?.policy ?? DEFAULTS.restart.policy,
      backoffMs: (spec.restart?.backoff ?? raw.defaults?.restart?.backoff ?? DEFAULTS.restart.backoff).map((b) => ms(b, 0)),
      resetAfterMs: ms(spec.restart?.resetAfter ?? raw.defaults?.restart?.resetAfter, DEFAULTS.restart.resetAfter),
    },
    shutdown: {
      signal: (spec.shutdown?.signal ?? raw.defaults?.shutdown?.signal ?? DEFAULTS.shutdown.signal) as NodeJS.Signals,
      timeoutMs: ms(spec.shutdown?.timeout ?? raw.defaults?.shutdown?.timeout, DEFAULTS.shutdown.timeout),
      command: spec.shutdown?.command,
    },
    startupTimeoutMs: spec.startupTimeout !== undefined ? ms(spec.startupTimeout, 0) : config.launch.startupTimeoutMs,
    ready: resolveReady(spec, raw.defaults?.health),
    image: spec.image,
    user: spec.user === undefined ? undefined : String(spec.user),
    group: spec.group === undefined ? undefined : String(spec.group),
    umask: spec.umask === undefined ? undefined : spec.umask.padStart(4, "0"),
    nice: spec.nice,
    limits: resolveLimits(spec.limits),
    protected: false,
    pidFile: spec.pidFile === undefined ? undefined : resolve(cwd, spec.pidFile),
    logs: resolveLogs(spec.logs, raw.logs),
    ...(spec.data === undefined ? {} : { data: spec.data.map((path) => resolve(cwd, path)) }),
    replicas: spec.replicas ?? 1,
    ...(spec.proxy ? { proxy: { port: spec.proxy.port, host: spec.proxy.host ?? "127.0.0.1" } } : {}),
    update: {
      maxUnavailable: spec.update?.maxUnavailable ?? (spec.proxy ? 0 : 1),
      maxSurge: spec.update?.maxSurge ?? (spec.proxy ? 1 : 0),
    },
    source: {
      manifest: draft.inManifest,
      packageJson: draft.discovered?.packageJson,
      packageManager: draft.discovered?.packageManager,
      script: draft.discovered?.script,
    },
  };
  return service;
}

function resolveAlerts(alerts: RawManifest["alerts"]): AlertConfig[] {
  return (alerts ?? []).map((a) => ({
    url: a.url,
    format: a.format ?? DEFAULTS.alerts.format,
    events: [...new Set(a.events ?? DEFAULT_ALERT_EVENTS)],
    minIntervalMs: ms(a.minInterval, DEFAULTS.alerts.minInterval),
  }));
}

function resolveHealing(healing: RawManifest["healing"]): HealingConfig {
  const incident = healing?.incident;
  return {
    maxConcurrentRestarts: healing?.maxConcurrentRestarts ?? null,
    incident:
      incident === false
        ? null
        : { windowMs: ms(incident?.window, DEFAULTS.healing.incident.window), services: incident?.services ?? DEFAULTS.healing.incident.services },
  };
}

function resolveLimits(limits: RawService["limits"]): LimitsConfig {
  const out: LimitsConfig = {};
  if (limits?.memory !== undefined) out.memoryBytes = parseSize(limits.memory);
  if (limits?.nofile !== undefined) out.nofile = limits.nofile;
  if (limits?.nproc !== undefined) out.nproc = limits.nproc;
  if (limits?.core !== undefined) out.core = limits.core === "unlimited" ? "unlimited" : parseSize(limits.core);
  return out;
}

function resolveLogs(own: RawService["logs"], top: RawManifest["logs"]): LogsConfig {
  return {
    maxBytes: parseSize(own?.maxSize ?? top?.maxSize ?? DEFAULTS.logs.maxSize)!,
    keep: own?.keep ?? top?.keep ?? DEFAULTS.logs.keep,
    format: own?.format ?? top?.format ?? DEFAULTS.logs.format,
  };
}

// Only what the manifest says: the machine's own environment is added at spawn time.
function resolveEnv(spec: RawService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env ?? {})) out[k] = String(v);
  if (spec.port !== undefined) out.PORT = String(spec.port);
  return out;
}

export function resolveHealth(health: RawHealth | undefined, defaults: RawHealth | undefined, port?: number): HealthConfig {
  const d = defaults === false ? undefined : defaults;
  const h = health === false ? undefined : health;
  const timing = {
    intervalMs: ms(h?.interval ?? d?.interval, DEFAULTS.health.interval),
    timeoutMs: ms(h?.timeout ?? d?.timeout, DEFAULTS.health.timeout),
    failureThreshold: h?.failureThreshold ?? d?.failureThreshold ?? DEFAULTS.health.failureThreshold,
  };
  if (health === false || (health === undefined && defaults === false)) return { check: null, ...timing };
  const host = h?.host ?? d?.host ?? "127.0.0.1";
  let check: HealthCheck | null = null;
  if (h?.exec !== undefined) check = { kind: "exec", command: h.exec };
  else if (h?.tcp !== undefined && (h.tcp !== true || port !== undefined)) check = { kind: "tcp", port: h.tcp === true ? port! : h.tcp, host };
  else if (h?.http !== undefined) check = { kind: "http", path: h.http, endpoints: [h.http], port, host };
  else if (port !== undefined)
    check = { kind: "http", endpoints: [...(h?.endpoints ?? d?.endpoints ?? DEFAULTS.health.endpoints)], port, host };
  return { check, ...timing };
}

/** `ready` (SPEC §14); a probe takes its timing from `ready`, else from `health`. Which source wins when several are given is for check to say. */
export function resolveReady(spec: RawService, defaults: RawHealth | undefined): ReadyConfig | undefined {
  const ready = spec.ready;
  if (!ready) return undefined;
  if (ready.log !== undefined) return { kind: "log", pattern: ready.log };
  if (ready.notify === "systemd") return spec.watchdog === undefined ? { kind: "systemd" } : { kind: "systemd", watchdogMs: ms(spec.watchdog, 0) };
  if (ready.notify === "fd") return { kind: "fd", fd: ready.fd ?? 3 };
  const { exec, tcp, http, host, interval, timeout } = ready;
  if (exec === undefined && tcp === undefined && http === undefined) return undefined;
  const health = spec.health === false ? undefined : spec.health;
  const probe = resolveHealth({ exec, tcp, http, host: host ?? health?.host }, defaults, spec.port).check;
  if (!probe) return undefined;
  const timing = resolveHealth({ interval: interval ?? health?.interval, timeout: timeout ?? health?.timeout }, defaults, spec.port);
  return { kind: "probe", check: probe, intervalMs: timing.intervalMs, timeoutMs: timing.timeoutMs };
}

export function resolvePhaseIndex(phase: string | number | undefined, phases: string[]): number | undefined {
  if (phase === undefined) return undefined;
  if (typeof phase === "number") return phase < phases.length ? phase : undefined;
  const index = indexPhases(phases).get(phase) ?? -1;
  return index >= 0 ? index : /^\d+$/.test(phase) && Number(phase) < phases.length ? Number(phase) : undefined;
}

// One look-up per service: a long `phases` list is indexed once, not scanned per service.
const phaseIndexes = new WeakMap<readonly string[], Map<string, number>>();
function indexPhases(phases: readonly string[]): Map<string, number> {
  let index = phaseIndexes.get(phases);
  if (!index) {
    index = new Map();
    phases.forEach((name, i) => index!.has(name) || index!.set(name, i));
    phaseIndexes.set(phases, index);
  }
  return index;
}
