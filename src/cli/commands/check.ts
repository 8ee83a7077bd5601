import { relative } from "node:path";
import type { Command } from "../command";
import { loadOrReport, manifestPath } from "../load-manifest";
import { makeStyle } from "../style";

export const checkCommand: Command = {
  name: "check",
  summary: "validate the manifest and discovery; print every problem as file:line:col path: message",
  usage: "orchestrator check [-c FILE]",
  flags: ["config"],
  async run(args, io) {
    const config = await loadOrReport(args, io, { checkPortsFree: true });
    if (!config) return 2;
    const style = makeStyle(io.color);
    const enabled = config.services.filter((s) => !s.disabled);
    const discovered = config.services.filter((s) => s.source.packageJson).length;
    const phases = new Set(enabled.map((s) => s.phase)).size;
    const file = relative(io.cwd, manifestPath(args, io)) || manifestPath(args, io);
    io.stdout(
      `${style.green("ok")} ${file}: ${enabled.length} service${enabled.length === 1 ? "" : "s"} ` +
        `(${discovered} discovered${enabled.length < config.services.length ? `, ${config.services.length - enabled.length} disabled` : ""}) ` +
        `in ${phases} phase${phases === 1 ? "" : "s"}\n`,
    );
    return 0;
  },
};
