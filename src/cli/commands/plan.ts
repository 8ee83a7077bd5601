import type { Command } from "../command";
import type { ServiceConfig } from "../../contract/config";
import { loadOrReport } from "../load-manifest";
import { makeStyle } from "../style";

export const planCommand: Command = {
  name: "plan",
  summary: "print the phases and launch order; start nothing",
  usage: "orchestrator plan [-c FILE] [--json]",
  flags: ["config", "json"],
  async run(args, io) {
    const config = await loadOrReport(args, io);
    if (!config) return 2;
    const { buildLaunchPlan, renderJson } = await import("../../graph");
    const plan = buildLaunchPlan(config);
    if (args.flags.json) {
      const launch = plan.phases.map(({ index, name, mode, concurrency, steps }) => ({ index, name, mode, concurrency, steps }));
      io.stdout(JSON.stringify({ ...renderJson(plan), launch }, null, 2) + "\n");
      return 0;
    }
    const style = makeStyle(io.color);
    const byName = new Map(config.services.map((s) => [s.name, s]));
    const total = plan.phases.reduce((n, p) => n + p.steps.flat().length, 0);
    io.stdout(`${style.bold(config.name)}: ${total} services in ${plan.phases.length} phases\n`);
    for (const phase of plan.phases) {
      const how = phase.mode === "serial" ? "serial, in dependency order" : `parallel, up to ${phase.concurrency} starting at once`;
      io.stdout(`\n${style.bold(`phase ${phase.index} ${phase.name}`)} ${style.dim(`(${how})`)}\n`);
      phase.steps.forEach((step, i) => {
        const label = phase.mode === "serial" ? `${i + 1}.` : `wave ${i + 1}:`;
        for (const name of step) io.stdout(`  ${style.dim(label.padEnd(8))} ${describe(byName.get(name)!)}\n`);
      });
    }
    const disabled = config.services.filter((s) => s.disabled).map((s) => s.name);
    if (disabled.length) io.stdout(`\n${style.dim(`disabled: ${disabled.join(", ")}`)}\n`);
    return 0;
  },
};

function describe(s: ServiceConfig): string {
  const parts = [s.name.padEnd(20)];
  parts.push(s.port ? `:${s.port}`.padEnd(7) : "".padEnd(7));
  const check = s.health.check;
  parts.push(
    (check === null ? "no probe" : check.kind === "http" ? `http ${check.path ?? check.endpoints.join("|")}` : check.kind === "tcp" ? `tcp ${check.port}` : `exec ${check.command}`).padEnd(36),
  );
  if (s.dependsOn.length) parts.push(`after ${s.dependsOn.map((d) => (d.condition === "healthy" ? d.name : `${d.name} (${d.condition})`)).join(", ")}`);
  if (s.optional) parts.push("[optional]");
  return parts.join(" ").trimEnd();
}
