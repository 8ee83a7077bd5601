import type { Config, Dependency, ServiceConfig } from "../contract/config";
import { escapeDollars, renderComposeHealth } from "./compose-healthcheck";
import { renderComposeLimits, renderComposeUser } from "./compose-process";
import { formatDuration } from "./format-duration";
import { renderYaml, type KeyComment } from "./render-yaml";
import { dataVolumes, loopbackNote, nameDataVolumes, unmountedPaths, type DataVolume } from "./host-paths";
import { chooseImage, describeImageChoice, type ImageChoice } from "./images";
import { commandArgv, describeReady, probePath, relativePath, serviceEnvironment, triesSeveralEndpoints } from "./service-facts";
import { planExport, splitDependencies } from "./service-order";
import type { ComposeOptions, ExportFile } from "./types";
import { renderHeader } from "./unmapped";

const RESTART = { always: "always", "on-failure": "on-failure", never: "no" } as const;
const CONDITION = { healthy: "service_healthy", started: "service_started", completed: "service_completed_successfully" } as const;

/** Renders `compose.yaml`: one Compose service per enabled service, in dependency order. */
export function renderCompose(config: Config, options: ComposeOptions = {}): ExportFile[] {
  const plan = planExport(config);
  const exported = new Set(plan.services.map((s) => s.name));
  const choices = new Map(plan.services.map((s) => [s.name, chooseImage(s, options.fileExists)]));
  const withHealth = new Set(plan.services.filter((s) => renderComposeHealth(s, choices.get(s.name)!).healthcheck).map((s) => s.name));
  const optional = new Set(plan.services.filter((s) => s.optional).map((s) => s.name));
  const services: Record<string, unknown> = {};
  const comments: KeyComment[] = [];
  const chosen: string[] = [];
  const human: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  const noted = new Set<string>();
  const volumeNames = nameDataVolumes(plan.services);
  for (const service of plan.services) {
    const notes: string[] = [`phase ${service.phase} (${service.phaseName})`];
    const ctx: Context = { exported, withHealth, optional, notes, choice: choices.get(service.name)!, chosen: [], human: [], volumes: dataVolumes(service, volumeNames), noted };
    services[service.name] = renderService(config, service, ctx);
    for (const volume of ctx.volumes) volumes[volume.name] = {};
    comments.push({ path: ["services"], key: service.name, lines: notes });
    chosen.push(...ctx.chosen.map((line) => `${service.name}: ${line}`));
    human.push(...ctx.human.map((line) => `${service.name}: ${line}`));
  }
  const skipped = plan.skipped.length ? [`disabled services, not exported: ${plan.skipped.join(", ")}`] : [];
  const header = renderHeader(config, "compose", [
    "Paths are relative to the manifest's directory; from there run:",
    `  docker compose -p ${config.name} --project-directory . -f compose.yaml up`,
    "Healthchecks use a tool each image has (its server's own ping, curl or wget, the runtime, or bash's /dev/tcp).",
  ], [...human, ...skipped], chosen);
  const document = Object.keys(volumes).length > 0 ? { services, volumes } : { services };
  return [{ path: "compose.yaml", content: `${header}\n${renderYaml(document, comments)}` }];
}

interface Context {
  exported: ReadonlySet<string>;
  withHealth: ReadonlySet<string>;
  optional: ReadonlySet<string>;
  /** Comment lines above the service. */
  notes: string[];
  choice: ImageChoice;
  /** Header lines: what the export chose, and what a human must still do. */
  chosen: string[];
  human: string[];
  volumes: DataVolume[];
  /** Volumes whose owner was already said (services sharing a data path share its volume). */
  noted: Set<string>;
}

function renderService(config: Config, service: ServiceConfig, ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cwd = relativePath(config, service.cwd);
  const { choice } = ctx;
  const mounts: string[] = [];
  const mounted: string[] = [];
  if (choice.source === "dockerfile") out.build = { context: cwd };
  else out.image = choice.image;
  if (choice.source === "runtime" || choice.source === "none") {
    // No image of its own: run its code from the checkout inside a stock runtime image.
    mounts.push(`${cwd === "." ? "." : `./${cwd}`}:/app`);
    mounted.push(service.cwd);
  }
  if (choice.source === "server" || choice.source === "runtime") ctx.chosen.push(describeImageChoice(choice));
  else if (choice.source === "none" || !choice.profile) ctx.human.push(describeImageChoice(choice));
  for (const volume of ctx.volumes) {
    mounts.push(`${volume.name}:${volume.path}`);
    mounted.push(volume.path);
    if (service.user !== undefined && service.user !== "root" && service.user !== "0" && !ctx.noted.has(volume.name)) {
      ctx.noted.add(volume.name);
      ctx.human.push(`volume ${volume.name} (data ${volume.path}) starts empty and owned by root unless the image has that folder; ${service.name} runs as ${service.user}: chown it once: docker compose run --rm --user root --entrypoint chown ${service.name} ${service.user} ${volume.path}`);
    }
  }
  if (mounts.length > 0) out.volumes = mounts;
  if (choice.source === "runtime" || choice.source === "none") out.working_dir = "/app";
  ctx.human.push(...unmountedPaths(config, service, mounted), ...loopbackNote(service));
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
  if (service.update && (replicas > 1 || service.proxy)) ctx.notes.push(`update (maxSurge ${service.update.maxSurge}, maxUnavailable ${service.update.maxUnavailable}): \`docker compose up\` replaces the replicas without waiting for the new ones to be healthy`);
  const health = renderComposeHealth(service, choice);
  if (health.healthcheck) {
    out.healthcheck = health.healthcheck;
    if (health.tool !== "exec") ctx.chosen.push(`healthcheck with ${health.tool}${choice.profile ? `, which ${choice.image ?? "the image"} has` : " (assumed in the image)"}`);
    if (health.note) ctx.human.push(health.note);
  }
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
