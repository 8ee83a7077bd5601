/**
 * What a reload changes (SPEC §10 `POST /orchestrator/reload`): a pure comparison of the
 * running Config with the newly loaded one, service by service and key by key.
 */
import type { ReloadDiff } from "../contract/actions";
import type { Config, ServiceConfig } from "../contract/config";
import { runsStartScript } from "../manifest/start-script";

/**
 * The diff's shape is ReloadDiff (src/contract/actions.ts), the one `POST /orchestrator/reload` returns:
 * - `changed`: at least one field that needs a new process changed (see RESTART_FIELDS);
 *   the service is stopped gracefully and started again with the new config. `fields` lists
 *   every changed field, in-place ones included.
 * - `updated`: only fields that apply in place changed; the process (and its pid) is kept.
 * - `unchanged`: nothing differs; the service is left alone.
 * - `ignored`: top-level keys that only take effect when the orchestrator restarts.
 */
type IgnoredChange = ReloadDiff["ignored"][number];

/**
 * Fields that shape the process itself, so a change needs a restart: what is exec'd
 * (`command`, `cwd`, `source` when it decides the start script's PATH), its environment
 * (every `env.KEY`, `envFile`, `port`, which is also PORT), how its health is checked
 * (`health`: kind, path, endpoints, host, port, command), how it announces readiness
 * (`ready`, the watchdog with it: NOTIFY_SOCKET, WATCHDOG_USEC, the notify fd) and what it starts with (`account`:
 * user, group and their ids; `umask`, `nice`, `limits.nofile|nproc|core`).
 * Everything else applies in place to the running service: `phase`, `dependsOn`, `optional`,
 * `restart.*` (the next failure uses the new ladder), `shutdown.*` (the next stop uses it, its command too),
 * `startupTimeoutMs` (the next start), `health.intervalMs|timeoutMs` (the probe is
 * rescheduled), `health.failureThreshold`, `image` and `data` (check and export only), and `logs.*` (the log file
 * follows from its next line).
 */
export const RESTART_FIELDS: ReadonlySet<string> = new Set([
  "command", "cwd", "envFile", "port", "health", "ready", "source", "account", "umask", "nice", "limits.nofile", "limits.nproc", "limits.core",
]);

const IGNORED_REASON = {
  api: "the API server keeps its address, token and CORS origins until the orchestrator restarts",
  state: "the state directory (event store, log files) is opened once at start; restart the orchestrator to move it",
  concurrency: "launch.concurrency is read when the launch begins; it applies at the next start",
};

/** Compare the running config with the next one (pure). Lists are sorted by name. */
export function diffConfigs(old: Config, next: Config): ReloadDiff {
  const before = enabledByName(old);
  const after = enabledByName(next);
  const diff: ReloadDiff = { added: [], removed: [], changed: [], updated: [], unchanged: [], ignored: diffTopLevel(old, next) };
  for (const name of [...before.keys()].filter((name) => !after.has(name)).sort()) diff.removed.push(name);
  for (const name of [...after.keys()].sort()) {
    const previous = before.get(name);
    if (!previous) {
      diff.added.push(name);
      continue;
    }
    const fields = diffService(previous, after.get(name)!);
    if (fields.length === 0) diff.unchanged.push(name);
    else if (fields.some(needsRestart)) diff.changed.push({ name, fields });
    else diff.updated.push({ name, fields });
  }
  return diff;
}

/** Whether a changed field (as named by diffService) needs a new process: a RESTART_FIELDS entry or any `env.KEY`. */
export function needsRestart(field: string): boolean {
  return RESTART_FIELDS.has(field) || field.startsWith("env.");
}

/** The names of the fields that differ between two configs of one service, in a fixed order. */
export function diffService(a: ServiceConfig, b: ServiceConfig): string[] {
  const fields: string[] = [];
  const differs = (field: string, x: unknown, y: unknown) => void (isSameData(x, y) || fields.push(field));
  differs("command", a.command, b.command);
  differs("cwd", a.cwd, b.cwd);
  for (const key of [...new Set([...Object.keys(a.env), ...Object.keys(b.env)])].sort()) differs(`env.${key}`, a.env[key], b.env[key]);
  differs("envFile", a.envFile, b.envFile);
  differs("port", a.port, b.port);
  differs("health", a.health.check, b.health.check);
  differs("ready", a.ready, b.ready);
  differs("source", runsStartScript(a), runsStartScript(b));
  differs("account", a.account, b.account);
  differs("umask", a.umask, b.umask);
  differs("nice", a.nice, b.nice);
  for (const key of ["nofile", "nproc", "core"] as const) differs(`limits.${key}`, a.limits[key], b.limits[key]);
  differs("phase", [a.phase, a.phaseName], [b.phase, b.phaseName]);
  differs("dependsOn", sortedDependencies(a), sortedDependencies(b));
  differs("optional", a.optional, b.optional);
  differs("health.intervalMs", a.health.intervalMs, b.health.intervalMs);
  differs("health.timeoutMs", a.health.timeoutMs, b.health.timeoutMs);
  differs("health.failureThreshold", a.health.failureThreshold, b.health.failureThreshold);
  differs("restart.policy", a.restart.policy, b.restart.policy);
  differs("restart.backoffMs", a.restart.backoffMs, b.restart.backoffMs);
  differs("restart.resetAfterMs", a.restart.resetAfterMs, b.restart.resetAfterMs);
  differs("shutdown.signal", a.shutdown.signal, b.shutdown.signal);
  differs("shutdown.timeoutMs", a.shutdown.timeoutMs, b.shutdown.timeoutMs);
  differs("shutdown.command", a.shutdown.command, b.shutdown.command);
  differs("startupTimeoutMs", a.startupTimeoutMs, b.startupTimeoutMs);
  differs("image", a.image, b.image);
  differs("data", a.data ?? [], b.data ?? []);
  differs("logs.maxBytes", a.logs.maxBytes, b.logs.maxBytes);
  differs("logs.keep", a.logs.keep, b.logs.keep);
  differs("logs.format", a.logs.format, b.logs.format);
  return fields;
}

/**
 * The config a reload actually runs with: `next`, except the keys reported as ignored, which
 * keep their running values, so readers of the live config never see a value not in effect.
 */
export function mergeLiveConfig(old: Config, next: Config): Config {
  const launch = { ...next.launch, concurrency: old.launch.concurrency, criticalConcurrency: old.launch.criticalConcurrency };
  return { ...next, api: old.api, stateDir: old.stateDir, launch };
}

function diffTopLevel(old: Config, next: Config): IgnoredChange[] {
  const ignored: IgnoredChange[] = [];
  for (const key of ["host", "port", "token", "cors", "allowedHosts"] as const) {
    if (!isSameData(old.api[key], next.api[key])) ignored.push({ key: `api.${key}`, reason: IGNORED_REASON.api });
  }
  if (old.stateDir !== next.stateDir) ignored.push({ key: "state.dir", reason: IGNORED_REASON.state });
  if (old.launch.concurrency !== next.launch.concurrency) ignored.push({ key: "launch.concurrency", reason: IGNORED_REASON.concurrency });
  if (old.launch.criticalConcurrency !== next.launch.criticalConcurrency)
    ignored.push({ key: "launch.criticalConcurrency", reason: IGNORED_REASON.concurrency });
  return ignored;
}

function enabledByName(config: Config): Map<string, ServiceConfig> {
  return new Map(config.services.filter((service) => !service.disabled).map((service) => [service.name, service]));
}

function sortedDependencies(service: ServiceConfig): string[] {
  return service.dependsOn.map((d) => `${d.name}:${d.condition}`).sort();
}

// Plain data only (what a Config holds); a key whose value is undefined counts as absent.
function isSameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => isSameData(item, (b as unknown[])[i]));
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (!isSameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}
