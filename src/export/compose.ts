import type { Config, Dependency, ServiceConfig } from "../contract/config";
import { escapeDollars, renderComposeHealth } from "./compose-healthcheck";
import { renderComposeLimits, renderComposeUser } from "./compose-process";
import { formatDuration } from "./format-duration";
import { renderYaml, type KeyComment } from "./render-yaml";
import { commandArgv, defaultImage, describeReady, hasDockerfile, probePath, relativePath, serviceEnvironment, triesSeveralEndpoints } from "./service-facts";
import { planExport, splitDependencies } from "./service-order";
import type { ComposeOptions, ExportFile } from "./types";
import { renderHeader } from "./unmapped";

const RESTART = { always: "always", "on-failure": "on-failure", never: "no" } as const;
const CONDITION = { healthy: "service_healthy", started: "service_started", completed: "service_completed_successfully" } as const;

/** Renders `compose.yaml`: one Compose service per enabled service, in dependency order. */
export function renderCompose(config: Config, options: ComposeOptions = {}): ExportFile[] {
  const plan = planExport(config);
  const exported = new Set(plan.services.map((s) => s.name));
  const withHealth = new Set(plan.services.filter((s) => renderComposeHealth(s).healthcheck).map((s) => s.name));
  const optional = new Set(plan.services.filter((s) => s.optional).map((s) => s.name));
  const services: Record<string, unknown> = {};
  const comments: KeyComment[] = [];
  for (const service of plan.services) {
    const notes: string[] = [`phase ${service.phase} (${service.phaseName})`];
    services[service.name] = renderService(config, service, options, { exported, withHealth, optional, notes });
    comments.push({ path: ["services"], key: service.name, lines: notes });
  }
  const skipped = plan.skipped.length ? [`disabled services, not exported: ${plan.skipped.join(", ")}`] : [];
  const header = renderHeader(config, "compose", [
    "Paths are relative to the manifest's directory; from there run:",
    `  docker compose -p ${config.name} --project-directory . -f compose.yaml up`,
    "Probes call curl or wget (HTTP) and nc or bash (TCP) inside the container; the image must have one.",
  ], skipped);
  return [{ path: "compose.yaml", content: `${header}\n${renderYaml({ services }, comments)}` }];
}

interface Context {
  exported: ReadonlySet<string>;
  withHealth: ReadonlySet<string>;
  optional: ReadonlySet<string>;
  notes: string[];
}

function renderService(config: Config, service: ServiceConfig, options: ComposeOptions, ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cwd = relativePath(config, service.cwd);
  if (service.image) out.image = service.image;
  else if (hasDockerfile(service, options.fileExists)) out.build = { context: cwd };
  else {
    // No image of its own: run its code from the checkout inside a stock runtime image.
    out.image = defaultImage(service);
    out.volumes = [`${cwd === "." ? "." : `./${cwd}`}:/app`];
    out.working_dir = "/app";
  }
  Object.assign(out, renderComposeUser(service, ctx.notes));
  out.command = commandArgv(service).map(escapeDollars);
  const env = serviceEnvironment(service);
  if (env.length > 0) out.environment = Object.fromEntries(env.map(([k, v]) => [k, escapeDollars(v)]));
  if (service.envFile) out.env_file = [relativePath(config, service.envFile)];
  const replicas = service.replicas ?? 1;
  // SPEC §15: N replicas share one host port range; behind a proxy the proxy's port is the public one
  if (service.port !== undefined) out.ports = [replicas > 1 ? `${service.port}-${service.port + replicas - 1}:${service.port}` : `${service.port}:${service.port}`];
  if (replicas > 1) out.deploy = { replicas };
  if (service.proxy) ctx.notes.push(`proxy ${service.proxy.host}:${service.proxy.port}: Compose balances the replicas through the service name; put a load balancer on the host port for the proxy's role`);
  const health = renderComposeHealth(service);
  if (health.healthcheck) out.healthcheck = health.healthcheck;
  if ("reason" in health && health.reason) ctx.notes.push(`no healthcheck: ${health.reason}`);
  // SPEC §14: the healthcheck comes from `health`; Compose has one check, so `ready` is noted
  if (service.ready) ctx.notes.push(`${describeReady(service)}: Compose has one healthcheck, taken from health; dependents wait for it, not for this readiness`);
  const check = service.health.check;
  if (check && triesSeveralEndpoints(check) && check.kind === "http") {
    ctx.notes.push(`the probe tries ${check.endpoints.join(", ")} in turn; this healthcheck uses ${probePath(check)}`);
  }
  const dependsOn = renderDependsOn(service, ctx);
  if (dependsOn) out.depends_on = dependsOn;
  out.restart = RESTART[service.restart.policy];
  out.stop_signal = service.shutdown.signal;
  out.stop_grace_period = formatDuration(service.shutdown.timeoutMs);
  return { ...out, ...renderComposeLimits(service, ctx.notes) };
}

function renderDependsOn(service: ServiceConfig, ctx: Context): Record<string, unknown> | undefined {
  const { kept, dropped } = splitDependencies(service, ctx.exported);
  for (const d of dropped) ctx.notes.push(`depends on ${d.name}, which is not exported (disabled or unknown)`);
  if (kept.length === 0) return undefined;
  const entries = kept.map((d) => [d.name, { condition: conditionFor(d, ctx) }]);
  for (const d of kept) if (ctx.optional.has(d.name)) ctx.notes.push(`${d.name} is optional, yet Compose still waits for it`);
  return Object.fromEntries(entries);
}

function conditionFor(dep: Dependency, ctx: Context): string {
  if (dep.condition === "healthy" && !ctx.withHealth.has(dep.name)) {
    ctx.notes.push(`waits for ${dep.name} to be healthy, but it has no healthcheck: service_started instead`);
    return CONDITION.started;
  }
  return CONDITION[dep.condition];
}
