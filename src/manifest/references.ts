/**
 * Replaces the reference placeholders (reference-table.ts) in the resolved config, service by
 * service: `${self.port}` and `${self.name}` are the service's own, `${services.NAME.port}`
 * another's, all as merged from discovery and the manifest (the final ports). In a command
 * string (`command: "..."`, `health.exec`) the value is shell-quoted for where it sits, as a
 * `${VAR}` value is. A reference to an unknown service, or to a port a service does not have,
 * is an error where the reference was written; it is left as written in the config.
 */
import type { Issue } from "../contract/actions";
import type { Config, HealthCheck, ServiceConfig } from "../contract/config";
import type { ReferenceSite, ReferenceTable } from "./reference-table";
import { quoteForShell } from "./shell-quote";
import { didYouMean } from "./suggest";

/** A value, perhaps with a warning about it; or why there is none. */
type Outcome = { ok: true; value: string; warning?: string } | { ok: false; message: string };

interface Scope {
  table: ReferenceTable;
  byName: Map<string, ServiceConfig>;
  /** Keyed by site and message: a default's reference fails alike for many services, and is said once. */
  issues: Map<string, Issue>;
  service: ServiceConfig;
}

export function resolveReferences(config: Config, table: ReferenceTable): Issue[] {
  if (table.sites.length === 0) return [];
  const byName = new Map(config.services.map((s) => [s.name, s]));
  const issues = new Map<string, Issue>();
  for (const service of config.services) {
    const scope: Scope = { table, byName, issues, service };
    const { command } = service;
    service.command = typeof command === "string" ? resolveText(scope, command, true) : command.map((word) => resolveText(scope, word, false));
    for (const [key, value] of Object.entries(service.env)) service.env[key] = resolveText(scope, value, false);
    if (service.health.check) service.health.check = resolveCheck(scope, service.health.check);
  }
  return [...issues.values()];
}

/** `text` with its references replaced; `quoted` for a command string run under `sh -c`. */
function resolveText(scope: Scope, text: string, quoted: boolean): string {
  return scope.table.substitute(text, (site) => {
    const outcome = quoteIfNeeded(valueOf(scope, site), site, quoted);
    if (!outcome.ok) return report(scope, site, outcome.message), site.text;
    if (outcome.warning) report(scope, site, outcome.warning, "warning");
    return outcome.value;
  });
}

function resolveCheck(scope: Scope, check: HealthCheck): HealthCheck {
  const host = resolveText(scope, check.kind === "exec" ? "" : check.host, false);
  switch (check.kind) {
    case "exec":
      return { ...check, command: resolveText(scope, check.command, true) };
    case "http": {
      const endpoints = check.endpoints.map((e) => resolveText(scope, e, false));
      return check.path === undefined ? { ...check, host, endpoints } : { ...check, host, endpoints, path: resolveText(scope, check.path, false) };
    }
    case "tcp":
      return { ...check, host, port: resolvePort(scope, check.port) };
  }
}

// `tcp: ${services.db.port}`: the whole value is one reference (check-schema let it through as a number to be).
function resolvePort(scope: Scope, port: unknown): number {
  const site = scope.table.whole(port);
  if (!site) return port as number;
  const outcome = valueOf(scope, site);
  if (!outcome.ok) return report(scope, site, outcome.message), 0;
  if (site.reference.field !== "port") return report(scope, site, `${site.text} gives the name "${outcome.value}", but health.tcp needs a port`), 0;
  if (outcome.warning) report(scope, site, outcome.warning, "warning");
  return Number(outcome.value);
}

function valueOf({ service, byName }: Scope, site: ReferenceSite): Outcome {
  const ref = site.reference;
  if (ref.of === "self") {
    if (ref.field === "name") return { ok: true, value: service.name };
    if (service.port !== undefined) return { ok: true, value: String(service.port) };
    return { ok: false, message: `${site.text}: service "${service.name}" has no port (give it \`port:\`, or a port in its package.json)` };
  }
  const target = byName.get(ref.service);
  if (!target) return { ok: false, message: `${site.text}: no service "${ref.service}"${didYouMean(ref.service, byName.keys())}` };
  if (target.port === undefined) return { ok: false, message: `${site.text}: service "${ref.service}" has no port` };
  const warning = target.disabled && !service.disabled ? `${site.text}: service "${ref.service}" is disabled, so nothing of this fleet listens on port ${target.port}` : undefined;
  return { ok: true, value: String(target.port), warning };
}

function quoteIfNeeded(outcome: Outcome, site: ReferenceSite, quoted: boolean): Outcome {
  if (!outcome.ok || !quoted || !site.shell) return outcome;
  const result = quoteForShell(outcome.value, site.shell.context, site.shell.escaped);
  if (result.ok) return { ...outcome, value: result.text };
  return { ok: false, message: `${site.text} in a command string: its value ${JSON.stringify(outcome.value)} cannot be quoted safely ${result.reason}; use the argv form (command: [...])` };
}

function report(scope: Scope, site: ReferenceSite, message: string, severity: Issue["severity"] = "error"): void {
  scope.issues.set(`${site.path.join("\0")}\0${message}`, site.source.issue(site.path, message, "value", severity));
}
