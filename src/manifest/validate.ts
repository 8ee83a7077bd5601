/**
 * Semantic checks on the resolved config; each validator is one small function returning
 * positioned issues. Schema problems (types, unknown keys) are found earlier by check-schema.
 */
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { buildGraph, findCycles, findPhaseViolations, formatCycle, type Graph } from "../graph";
import type { Config } from "../contract/config";
import { restartBatchSize, surges } from "../contract/update-policy";
import type { Issue } from "../contract/actions";
import type { Origin, ServiceDraft } from "./merge";
import type { SourceFile } from "./source";
import { resolvePhaseIndex } from "./resolve";
import { didYouMean } from "./suggest";
import { findCommand } from "./find-command";
import { RunAsChecker } from "./run-as-checks";
import { findReadyProblems } from "./ready-checks";
import { findDataProblems } from "./data-checks";
import { currentIdentity } from "../lib/run-as-tools";
import { parseSize } from "../lib/size";
import { parseMarker } from "../process/marker";
import { describeHolder, findPortHolder } from "../process/port-holder";

export interface ValidationContext {
  config: Config;
  drafts: Map<string, ServiceDraft>;
  env: Record<string, string | undefined>;
  checkCommands: boolean;
  /** Users, groups, limits and nice values checked against this host (false: said nothing of; the account is still filled where known). */
  checkHost?: boolean;
  /** The manifest, for problems with its top-level keys. */
  manifest?: SourceFile;
  /** The top-level `logs` as written. */
  logs?: { maxSize?: unknown };
  /** Warn about ports something already listens on (`check` only: a running fleet holds its own). */
  checkPortsFree?: boolean;
}

/** What the validators share: the graph and the directories already looked at. */
interface SharedContext extends ValidationContext {
  graph?: Graph;
  directories: Map<string, boolean>;
}

type Validator = (ctx: SharedContext) => Issue[];

/** Issue at the place where `key` of service `name` was set (or the service itself). */
function at(ctx: ValidationContext, name: string, key: keyof ServiceDraft["origins"], message: string, suffix: (string | number)[] = []): Issue {
  const origins = ctx.drafts.get(name)?.origins ?? {};
  const origin: Origin | undefined = origins[key] ?? origins.service;
  if (!origin) return { file: ctx.config.file, line: 1, col: 1, path: `services.${name}`, message, severity: "error" };
  const path = origins[key] ? [...origin.path, ...suffix] : origin.path;
  return origin.source().issue(path, message);
}

const checkCommandsGiven: Validator = (ctx) =>
  ctx.config.services
    .filter((s) => s.command === "" || (Array.isArray(s.command) && s.command.length === 0))
    .map((s) => at(ctx, s.name, "service", `service "${s.name}" has no command: give \`command\`, or a scripts.start in its package.json`));

const checkPhases: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    const raw = ctx.drafts.get(s.name)?.spec.phase;
    if (raw === undefined || resolvePhaseIndex(raw, ctx.config.phases) !== undefined) return [];
    const expected = `one of ${ctx.config.phases.map((p) => `"${p}"`).join(", ")} or an index below ${ctx.config.phases.length}`;
    const hint = typeof raw === "string" ? didYouMean(raw, ctx.config.phases) : "";
    return [at(ctx, s.name, "phase", `unknown phase ${JSON.stringify(raw)}: expected ${expected}${hint}`)];
  });

/** "did you mean" compares a name with every service: offered for this many unknown names, then dropped. */
const SUGGESTED_DEPENDENCIES = 100;

const checkDependencies: Validator = (ctx) => {
  const byName = new Map(ctx.config.services.map((s) => [s.name, s]));
  let suggestions = SUGGESTED_DEPENDENCIES;
  return ctx.config.services.flatMap((s) =>
    s.dependsOn.flatMap((dep, i) => {
      const target = byName.get(dep.name);
      const suffix = Array.isArray(ctx.drafts.get(s.name)?.spec.dependsOn) ? [i] : [dep.name];
      if (dep.name === s.name) return [at(ctx, s.name, "dependsOn", `"${s.name}" depends on itself`, suffix)];
      if (!target) {
        const hint = suggestions-- > 0 ? didYouMean(dep.name, namesExcept(byName.keys(), s.name)) : ""; // never suggest depending on itself
        return [at(ctx, s.name, "dependsOn", `unknown dependency "${dep.name}"${hint}`, suffix)];
      }
      if (target.disabled && !s.disabled)
        return [at(ctx, s.name, "dependsOn", `depends on "${dep.name}", which is disabled, so "${s.name}" could never start`, suffix)];
      return [];
    }),
  );
};

function* namesExcept(names: Iterable<string>, except: string): Iterable<string> {
  for (const name of names) if (name !== except) yield name;
}

// A self-loop (`a -> a`) is left to checkDependencies, which says "depends on itself" at the entry.
const checkCycles: Validator = (ctx) =>
  findCycles(graphOf(ctx)).filter((cycle) => cycle.length > 2).map((cycle) =>
    at(ctx, cycle[0], "dependsOn", `dependency cycle: ${formatCycle(cycle)}`),
  );

const checkPhaseOrder: Validator = (ctx) =>
  findPhaseViolations(graphOf(ctx)).map((v) =>
    at(
      ctx,
      v.service,
      "dependsOn",
      `"${v.service}" (phase ${ctx.config.phases[v.servicePhase]}) depends on "${v.dependency}" in a later phase (${ctx.config.phases[v.dependencyPhase]}); move one of them`,
    ),
  );

// A service with `replicas: N` holds port..port+N-1 (SPEC §15) and its proxy's port: ranges that overlap are reported, with both holders.
const checkPorts: Validator = (ctx) => {
  const taken: { from: number; to: number; owner: string }[] = [];
  const issues: Issue[] = [];
  if (ctx.config.api.port) taken.push({ from: ctx.config.api.port, to: ctx.config.api.port, owner: "the orchestrator API (api.port)" });
  const claim = (name: string, key: "port" | "proxy", from: number, to: number, what: string) => {
    const first = taken.find((t) => t.from <= to && from <= t.to);
    taken.push({ from, to, owner: `"${name}"${key === "proxy" ? " (its proxy)" : ""}` });
    if (!first) return;
    const single = from === to && first.from === first.to;
    const held = first.from === first.to ? `port ${first.from}` : `ports ${first.from}-${first.to}`;
        issues.push(at(ctx, name, key, single ? `${what} is already used by ${first.owner}` : `${what} overlaps ${held}, already used by ${first.owner}`));
  };
  for (const s of ctx.config.services) {
    if (s.disabled) continue;
    const replicas = s.replicas ?? 1;
    if (s.port !== undefined) claim(s.name, "port", s.port, s.port + replicas - 1, replicas > 1 ? `ports ${s.port}-${s.port + replicas - 1} (replicas: ${replicas})` : `port ${s.port}`);
    if (s.proxy) claim(s.name, "proxy", s.proxy.port, s.proxy.port, `proxy port ${s.proxy.port}`);
  }
  return issues;
};

// `replicas` above 1 or a `proxy` need a `port` to number the instances from.
const checkReplicas: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    if (s.port !== undefined || ((s.replicas ?? 1) === 1 && !s.proxy)) return [];
    const key = s.proxy ? "proxy" : "replicas";
    return [at(ctx, s.name, key, `${key === "proxy" ? "a proxy" : `replicas: ${s.replicas}`} needs a \`port\` (instance i listens on port + i - 1), got none`)];
  });

// `update` keys that cannot do what they say (SPEC §15): a surge needs the proxy to switch to the
// replacement, and without a surge a restart takes at least one instance down.
const checkUpdate: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    if (!s.update || !ctx.drafts.get(s.name)?.origins.update) return [];
    const warn = (key: "maxSurge" | "maxUnavailable", message: string) => ({ ...at(ctx, s.name, "update", message, [key]), severity: "warning" as const });
    if (s.update.maxSurge > 0 && !surges(s))
      return [warn("maxSurge", `maxSurge: ${s.update.maxSurge} needs a \`proxy\` to switch to the replacement; without one, instances restart ${restartBatchSize(s)} at a time`)];
    if (s.update.maxUnavailable === 0 && !surges(s))
      return [warn("maxUnavailable", "maxUnavailable: 0 needs a `proxy` and maxSurge: 1 (the replacement starts first); without them a restart still takes one instance down at a time")];
    return [];
  });

const checkPaths: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    const issues: Issue[] = [];
    if (!isDirectory(ctx, s.cwd)) issues.push(at(ctx, s.name, "cwd", `cwd "${s.cwd}" does not exist or is not a directory`));
    else if (s.envFile && !existsSync(s.envFile)) issues.push(at(ctx, s.name, "envFile", `envFile "${s.envFile}" does not exist`));
    return issues;
  });

const checkCommandsExist: Validator = (ctx) => {
  if (!ctx.checkCommands) return [];
  const cache = new Map<string, boolean>();
  return ctx.config.services.flatMap((s) => {
    if (s.disabled || !isDirectory(ctx, s.cwd)) return [];
    const result = findCommand(s.command, s.cwd, s.env.PATH ?? ctx.env.PATH ?? "", cache);
    if (result.found) return [];
    const where = result.word.includes("/") ? "or not executable" : "on PATH";
    return [at(ctx, s.name, "command", `command "${result.word}" not found ${where}`)];
  });
};

// The one validator that fills in the config: resolving `user`/`group` into `account` and its errors are one step.
// Without host checks (export) the account is filled where this host knows it, and nothing else is said.
const checkRunAs: Validator = (ctx) => {
  const checker = new RunAsChecker();
  return ctx.config.services.flatMap((s) => {
    if (s.disabled) return [];
    const problems = checker.check(s);
    return ctx.checkHost !== false ? problems.map((p) => at(ctx, s.name, p.key, p.message, p.suffix)) : [];
  });
};

// `health: { tcp: true }` probes the service's own port: without one there would silently be no probe.
const checkOwnPortProbe: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    const health = ctx.drafts.get(s.name)?.spec.health;
    if (s.port !== undefined || typeof health !== "object" || health.tcp !== true) return [];
    return [at(ctx, s.name, "health", `tcp: true probes the service's own port, but "${s.name}" has no port: give it \`port:\`, or the port to probe (tcp: 6379)`, ["tcp"])];
  });

const ZERO_LOG_SIZE = "expected a size above 0 (a file rotated at every line would keep nothing); to keep no rotated files, set keep: 0";

// A size of 0 parses, but a log file rotated before every line is no log at all.
const checkLogSizes: Validator = (ctx) => {
  const issues: Issue[] = [];
  if (ctx.manifest && ctx.logs?.maxSize !== undefined && parseSize(ctx.logs.maxSize) === 0) issues.push(ctx.manifest.issue(["logs", "maxSize"], ZERO_LOG_SIZE));
  for (const [name, draft] of ctx.drafts) {
    const own = draft.spec.logs?.maxSize;
    if (own !== undefined && parseSize(own) === 0) issues.push(at(ctx, name, "logs", ZERO_LOG_SIZE, ["maxSize"]));
  }
  return issues;
};

/** `check` only: a port something already listens on (the service would wait `blocked` until it is free). */
const checkPortsFree: Validator = (ctx) => {
  if (!ctx.checkPortsFree) return [];
  return ctx.config.services.flatMap((s) => {
    const holder = s.port === undefined || s.disabled ? null : findPortHolder(s.port);
    if (!holder) return [];
    const marker = holder.marker ? parseMarker(holder.marker) : null;
    const whose = marker ? `service ${marker.name} of the orchestrator running as pid ${marker.runId.split("-")[0]}` : "not started by an orchestrator";
    const message = `port ${s.port} is held by ${describeHolder(holder)}, ${whose}: "${s.name}" would wait, blocked, until it is free`;
    return [{ ...at(ctx, s.name, "port", message), severity: "warning" as const }];
  });
};

/** A pidFile where no file can be written: its folder must exist (unless the daemon makes it), and it must not be a folder. */
const checkPidFiles: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    if (s.pidFile === undefined || s.disabled) return [];
    if (isDirectory(ctx, s.pidFile)) return [at(ctx, s.name, "pidFile", `pidFile "${s.pidFile}" is a directory: expected the path of the file the daemon writes its pid to`)];
    const folder = dirname(s.pidFile);
    if (isDirectory(ctx, folder)) return [];
    const message = `pidFile "${s.pidFile}": its folder ${folder} does not exist, so the daemon cannot write it unless it creates that folder itself`;
    return [{ ...at(ctx, s.name, "pidFile", message), severity: "warning" as const }];
  });

/** `data` a service could not keep its state in, on this host (SPEC §17): a warning, as the service may create it. After checkRunAs, which fills `account`. */
const checkData: Validator = (ctx) => {
  if (ctx.checkHost === false) return [];
  const withData = ctx.config.services.filter((s) => s.data && s.data.length > 0 && !s.disabled);
  if (withData.length === 0) return [];
  const self = currentIdentity();
  return withData.flatMap((s) => findDataProblems(s, self).map((p) => ({ ...at(ctx, s.name, "data", p.message, [p.index]), severity: "warning" as const })));
};

/** Alert URLs are secrets (a webhook token in the path): a problem names the scheme at most, never the URL. */
const checkAlertUrls: Validator = (ctx) =>
  (ctx.config.alerts ?? []).flatMap((alert, i) => {
    const problem = describeBadAlertUrl(alert.url);
    return problem && ctx.manifest ? [ctx.manifest.issue(["alerts", i, "url"], problem)] : [];
  });

export function describeBadAlertUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.trim() === "" ? "expected an http:// or https:// URL, got an empty value (is its ${VAR} set?)" : "expected an http:// or https:// URL, got a value that is not a URL";
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") return null;
  return `expected an http:// or https:// URL, got one with scheme ${JSON.stringify(parsed.protocol)}`;
}

const checkReady: Validator = (ctx) =>
  ctx.config.services.flatMap((s) => {
    const spec = ctx.drafts.get(s.name)?.spec;
    return spec ? findReadyProblems(spec, s.port).map((p) => at(ctx, s.name, p.key, p.message, p.suffix)) : [];
  });

const VALIDATORS: Validator[] = [
  checkCommandsGiven,
  checkPhases,
  checkDependencies,
  checkCycles,
  checkPhaseOrder,
  checkPorts,
  checkReplicas,
  checkUpdate,
  checkPaths,
  checkCommandsExist,
  checkRunAs,
  checkOwnPortProbe,
  checkLogSizes,
  checkPortsFree,
  checkPidFiles,
  checkData,
  checkAlertUrls,
  checkReady,
];

export function validateConfig(ctx: ValidationContext): Issue[] {
  const shared: SharedContext = { ...ctx, directories: new Map() };
  return VALIDATORS.flatMap((validate) => validate(shared));
}

// Built once for the validators that need it: a graph per validator doubled its cost.
function graphOf(ctx: SharedContext): Graph {
  return (ctx.graph ??= buildGraph(ctx.config.services, ctx.config.phases));
}

// Services mostly share a few working directories: stat each once.
function isDirectory(ctx: SharedContext, path: string): boolean {
  let found = ctx.directories.get(path);
  if (found === undefined) {
    try {
      found = statSync(path).isDirectory();
    } catch {
      found = false;
    }
    ctx.directories.set(path, found);
  }
  return found;
}
