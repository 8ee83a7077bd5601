import type { Config, ServiceConfig } from "../contract/config";
import { formatDuration } from "./format-duration";
import { commandArgv, serviceEnvironment } from "./service-facts";
import { planExport, splitDependencies } from "./service-order";
import { renderHealthWait } from "./systemd-health-wait";
import { installedPath, resolveLayout, type SystemdLayout } from "./systemd-layout";
import { renderOrchestratorUnit } from "./systemd-orchestrator";
import { noteSystemdUnmapped, renderSystemdAccount, renderSystemdCredentials, renderSystemdLimits, renderSystemdStop, renderSystemdType } from "./systemd-process";
import { quoteEnvironment, quoteExecArg, renderExecLine, renderUnitFile, toUnitName, type UnitSection } from "./systemd-syntax";
import type { ExportFile, SystemdOptions } from "./types";
import { renderHeader } from "./unmapped";

const RESTART = { always: "always", "on-failure": "on-failure", never: "no" } as const;

/** Renders one unit per enabled service, a target grouping them, and `orchestrator.service`. */
export function renderSystemd(config: Config, options: SystemdOptions = {}): ExportFile[] {
  const layout = resolveLayout(config, options);
  const plan = planExport(config);
  const baseName = (name: string) => `${toUnitName(config.name)}-${toUnitName(name)}`;
  // SPEC §15: a service with replicas is a template unit NAME@.service, one instance per replica, named by its port
  const ports = new Map(plan.services.flatMap((s) => (instancePorts(s) ? [[s.name, instancePorts(s)!] as const] : [])));
  const unitsOf = (name: string) => ports.get(name)?.map((port) => `${baseName(name)}@${port}.service`) ?? [`${baseName(name)}.service`];
  const target = `${toUnitName(config.name)}.target`;
  const oneShots = new Set(plan.services.flatMap((s) => s.dependsOn.filter((d) => d.condition === "completed").map((d) => d.name)));
  const exported = new Set(plan.services.map((s) => s.name));
  const optional = new Set(plan.services.filter((s) => s.optional).map((s) => s.name));
  const usage = [
    `Install into /etc/systemd/system, then: systemctl daemon-reload && systemctl start ${target}`,
    "Run either these per-service units or orchestrator.service (the orchestrator supervising the fleet), never both.",
    `Commands run through /usr/bin/env: runtimes must be on systemd's PATH (/usr/local/bin, /usr/bin); paths assume ${layout.installDir}.`,
  ];
  const files: ExportFile[] = plan.services.flatMap((service) => {
    const notes: string[] = [];
    const instances = ports.get(service.name);
    if (instances) notes.push(`${instances.length} replicas: the template ${baseName(service.name)}@.service, one instance per replica named by its port (PORT=%i; ORCHESTRATOR_REPLICA in each instance's drop-in)${service.proxy ? `; the proxy on ${service.proxy.host}:${service.proxy.port} is not mapped: put a load balancer in front of the instances` : ""}${service.update ? `; update (maxSurge ${service.update.maxSurge}, maxUnavailable ${service.update.maxUnavailable}) is not mapped: restart the instances one at a time` : ""}`);
    const sections = renderServiceUnit(config, layout, service, { unitsOf, target, oneShots, exported, optional, notes, instancePort: instances ? INSTANCE_PORT : undefined });
    // the instance specifier goes in after quoting, which would escape its % as %%
    const content = renderUnitFile(renderHeader(config, "systemd", usage, notes.map((n) => `${service.name}: ${n}`)), sections).replaceAll(INSTANCE_PORT, "%i");
    if (!instances) return [{ path: `${baseName(service.name)}.service`, content }];
    const dropIns = instances.map((port, i) => ({
      path: `${baseName(service.name)}@${port}.service.d/replica.conf`,
      content: renderUnitFile(`# ${service.name}@${i + 1}: replica ${i + 1} of ${instances.length}, on port ${port}\n`, [{ name: "Service", settings: [["Environment", quoteEnvironment("ORCHESTRATOR_REPLICA", String(i + 1))]] }]),
    }));
    return [{ path: `${baseName(service.name)}@.service`, content }, ...dropIns];
  });
  const skipped = plan.skipped.length ? [`disabled services, not exported: ${plan.skipped.join(", ")}`] : [];
  files.push({
    path: target,
    content: renderUnitFile(renderHeader(config, "systemd", usage, skipped), [
      { name: "Unit", settings: [["Description", `${config.name}: every service of the fleet`], ...plan.services.flatMap((s) => unitsOf(s.name).map((unit): [string, string] => ["Wants", unit]))] },
      { name: "Install", settings: [["WantedBy", "multi-user.target"]] },
    ]),
  });
  files.push(renderOrchestratorUnit(config, layout));
  return files;
}

/** Stands for `%i` in a template unit until the file is rendered. */
const INSTANCE_PORT = "@INSTANCE_PORT@";

/** The instance ports of a service with replicas (port + i - 1), or undefined for one instance. */
function instancePorts(service: ServiceConfig): number[] | undefined {
  const replicas = service.replicas ?? 1;
  if (replicas <= 1 || service.port === undefined) return undefined;
  return Array.from({ length: replicas }, (_, i) => service.port! + i);
}

interface UnitContext {
  /** The unit names of a service: one, or one per replica. */
  unitsOf(name: string): string[];
  /** In a template unit: what stands for the instance's port (`%i`). */
  instancePort?: string;
  target: string;
  oneShots: ReadonlySet<string>;
  exported: ReadonlySet<string>;
  optional: ReadonlySet<string>;
  notes: string[];
}

function renderServiceUnit(config: Config, layout: SystemdLayout, service: ServiceConfig, ctx: UnitContext): UnitSection[] {
  const unit: [string, string][] = [
    ["Description", `${config.name} ${service.name} (phase ${service.phase} ${service.phaseName})`],
    ["PartOf", ctx.target],
    ["StartLimitIntervalSec", "0"],
  ];
  const { kept, dropped } = splitDependencies(service, ctx.exported);
  for (const d of dropped) ctx.notes.push(`depends on ${d.name}, which is not exported (disabled or unknown)`);
  for (const d of kept) for (const u of ctx.unitsOf(d.name)) unit.push([ctx.optional.has(d.name) ? "Wants" : "Requires", u]);
  for (const d of kept) for (const u of ctx.unitsOf(d.name)) unit.push(["After", u]);
  if (kept.some((d) => d.condition === "started")) ctx.notes.push("a `started` dependency is waited for until its start-up wait passes");

  const oneShot = ctx.oneShots.has(service.name);
  const svc: [string, string][] = renderSystemdType(config, layout, service, oneShot, ctx.notes);
  svc.push(...renderSystemdAccount(service, layout), ...renderSystemdCredentials(service), ["WorkingDirectory", installedPath(config, layout, service.cwd)]);
  for (const [key, value] of serviceEnvironment(service)) svc.push(["Environment", quoteEnvironment(key, key === "PORT" && ctx.instancePort ? ctx.instancePort : value)]);
  if (service.envFile) svc.push(["EnvironmentFile", installedPath(config, layout, service.envFile)]);
  svc.push(["ExecStart", renderExecLine(commandArgv(service))]);
  const wait = oneShot ? undefined : renderHealthWait(service, ctx.notes, ctx.instancePort);
  if (wait) svc.push(["ExecStartPost", wait]);
  svc.push(...renderSystemdStop(service, ctx.notes));
  if (service.health.check) ctx.notes.push("systemd does not probe a running service: becoming unhealthy triggers no restart");
  svc.push(["TimeoutStartSec", formatDuration(service.startupTimeoutMs)]);
  let restart: string = RESTART[service.restart.policy];
  if (oneShot && restart === "always") {
    restart = "on-failure";
    ctx.notes.push("a one-shot unit cannot use Restart=always: Restart=on-failure instead");
  }
  svc.push(["Restart", restart], ["RestartSec", formatDuration(service.restart.backoffMs[0] ?? 1000)]);
  svc.push(["KillMode", "control-group"], ["KillSignal", service.shutdown.signal], ["TimeoutStopSec", formatDuration(service.shutdown.timeoutMs)]);
  svc.push(...renderSystemdLimits(service));
  const data = (service.data ?? []).map((path) => installedPath(config, layout, path));
  if (data.length > 0) svc.push(["ReadWritePaths", data.map(quoteExecArg).join(" ")]);
  noteSystemdUnmapped(service, ctx.notes);
  return [
    { name: "Unit", settings: unit },
    { name: "Service", settings: svc },
    { name: "Install", settings: [["WantedBy", ctx.target]] },
  ];
}
