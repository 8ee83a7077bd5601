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
  const unitOf = (name: string) => `${toUnitName(config.name)}-${toUnitName(name)}.service`;
  const target = `${toUnitName(config.name)}.target`;
  const oneShots = new Set(plan.services.flatMap((s) => s.dependsOn.filter((d) => d.condition === "completed").map((d) => d.name)));
  const exported = new Set(plan.services.map((s) => s.name));
  const optional = new Set(plan.services.filter((s) => s.optional).map((s) => s.name));
  const usage = [
    `Install into /etc/systemd/system, then: systemctl daemon-reload && systemctl start ${target}`,
    "Run either these per-service units or orchestrator.service (the orchestrator supervising the fleet), never both.",
    `Commands run through /usr/bin/env: runtimes must be on systemd's PATH (/usr/local/bin, /usr/bin); paths assume ${layout.installDir}.`,
  ];
  const files: ExportFile[] = plan.services.map((service) => {
    const notes: string[] = [];
    const sections = renderServiceUnit(config, layout, service, { unitOf, target, oneShots, exported, optional, notes });
    return { path: unitOf(service.name), content: renderUnitFile(renderHeader(config, "systemd", usage, notes.map((n) => `${service.name}: ${n}`)), sections) };
  });
  const skipped = plan.skipped.length ? [`disabled services, not exported: ${plan.skipped.join(", ")}`] : [];
  files.push({
    path: target,
    content: renderUnitFile(renderHeader(config, "systemd", usage, skipped), [
      { name: "Unit", settings: [["Description", `${config.name}: every service of the fleet`], ...plan.services.map((s): [string, string] => ["Wants", unitOf(s.name)])] },
      { name: "Install", settings: [["WantedBy", "multi-user.target"]] },
    ]),
  });
  files.push(renderOrchestratorUnit(config, layout));
  return files;
}

interface UnitContext {
  unitOf(name: string): string;
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
  for (const d of kept) unit.push([ctx.optional.has(d.name) ? "Wants" : "Requires", ctx.unitOf(d.name)]);
  for (const d of kept) unit.push(["After", ctx.unitOf(d.name)]);
  if (kept.some((d) => d.condition === "started")) ctx.notes.push("a `started` dependency is waited for until its start-up wait passes");

  const oneShot = ctx.oneShots.has(service.name);
  const svc: [string, string][] = renderSystemdType(config, layout, service, oneShot, ctx.notes);
  svc.push(...renderSystemdAccount(service, layout), ...renderSystemdCredentials(service), ["WorkingDirectory", installedPath(config, layout, service.cwd)]);
  for (const [key, value] of serviceEnvironment(service)) svc.push(["Environment", quoteEnvironment(key, value)]);
  if (service.envFile) svc.push(["EnvironmentFile", installedPath(config, layout, service.envFile)]);
  svc.push(["ExecStart", renderExecLine(commandArgv(service))]);
  const wait = oneShot ? undefined : renderHealthWait(service, ctx.notes);
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
