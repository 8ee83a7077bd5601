import type { Command } from "../command";
import { UsageError, flagString } from "../args";
import { loadOrReport } from "../load-manifest";

const FORMATS = ["mermaid", "dot", "json"] as const;

export const graphCommand: Command = {
  name: "graph",
  summary: "print the dependency graph (mermaid, dot or json)",
  usage: "orchestrator graph [-c FILE] [--format mermaid|dot|json]",
  flags: ["config", "format"],
  async run(args, io) {
    const format = flagString(args, "format") ?? "mermaid";
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format: expected one of ${FORMATS.join(", ")}, got "${format}"`);
    const config = await loadOrReport(args, io);
    if (!config) return 2;
    const { buildGraph, renderDot, renderJson, renderMermaid } = await import("../../graph");
    const graph = buildGraph(config.services, config.phases);
    const out = format === "dot" ? renderDot(graph) : format === "json" ? JSON.stringify(renderJson(graph), null, 2) : renderMermaid(graph);
    io.stdout(out.endsWith("\n") ? out : out + "\n");
    return 0;
  },
};
