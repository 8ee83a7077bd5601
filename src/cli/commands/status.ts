/**
 * `orchestrator status` (alias `ps`): the services of a running orchestrator as a table,
 * or the raw JSON array with --json. It reads only the API address from the manifest.
 */
import type { ServiceSummary } from "../../contract/service-view";
import type { SystemStatus } from "../../contract/system-view";
import type { Command } from "../command";
import { ApiClient } from "../client/api-client";
import { humanBytes, humanDuration, renderTable, type Cell } from "../client/format";
import { paintTone, stateColor } from "../client/paint-state";
import { serviceTone } from "../../contract/state-classes";
import { resolveApi } from "../client/resolve-api";
import { makeStyle, type Style } from "../style";

const HEADINGS = ["NAME", "STATE", "PHASE", "PID", "PORT", "RESTARTS", "UPTIME", "HEALTH", "MEM", "CPU"];
/** What the table shows of each summary: asked for by name, so the answer carries no more (54 of 118 KB at 200 services). */
const TABLE_FIELDS = ["state", "phase", "phaseName", "pid", "port", "restarts", "uptimeMs", "health", "memoryBytes", "cpuPercent"] as const;
type Row = Pick<ServiceSummary, "name" | (typeof TABLE_FIELDS)[number]>;

export const statusCommand: Command = {
  name: "status",
  aliases: ["ps"],
  summary: "table of the services of a running orchestrator",
  usage: "orchestrator status [--json] [--api URL] [-c FILE]",
  flags: ["json", "api", "config"],
  async run(args, io) {
    const client = new ApiClient(await resolveApi({ flags: args.flags, env: io.env, cwd: io.cwd }));
    if (args.flags.json) {
      io.stdout(JSON.stringify(await client.services(), null, 2) + "\n");
      return 0;
    }
    const { status, services } = await client.snapshot(TABLE_FIELDS);
    io.stdout(renderStatus(status, services, makeStyle(io.color)));
    return 0;
  },
};

export function renderStatus(system: SystemStatus, services: Row[], style: Style): string {
  const rows: Cell[][] = [HEADINGS.map((text) => ({ text, paint: style.bold })), ...services.map((s) => serviceRow(s, style))];
  return [header(system, services, style), "", ...renderTable(rows), ""].join("\n");
}

function header(system: SystemStatus, services: Row[], style: Style): string {
  const total = system.total ?? services.length;
  const healthy = system.healthy ?? services.filter((s) => s.state === "healthy").length;
  const parts = [
    `${style.bold(system.name)} ${stateColor(style, system.state)(system.state)}`,
    `${healthy}/${total} healthy`,
    `up ${humanDuration(system.uptimeMs)}`,
  ];
  if (system.phase && system.phase.index >= 0) parts.push(`phase ${system.phase.index}${system.phase.name ? ` ${system.phase.name}` : ""}`);
  const line = parts.join("  ");
  return system.reasons?.length ? `${line}\n${style.dim(system.reasons.join("; "))}` : line;
}

function serviceRow(s: Row, style: Style): Cell[] {
  const running = s.pid !== null && s.pid !== undefined;
  return [
    { text: s.name },
    { text: s.state, paint: stateColor(style, s.state) },
    { text: s.phaseName ?? String(s.phase) },
    { text: running ? String(s.pid) : "-" },
    { text: s.port ? String(s.port) : "-" },
    { text: String(s.restarts ?? 0), paint: s.restarts > 0 ? style.yellow : undefined },
    { text: running && s.uptimeMs > 0 ? humanDuration(s.uptimeMs) : "-" },
    running ? health(s, style) : { text: "-" },
    { text: s.memoryBytes === null || s.memoryBytes === undefined ? "-" : humanBytes(s.memoryBytes) },
    { text: s.cpuPercent === null || s.cpuPercent === undefined ? "-" : `${s.cpuPercent.toFixed(1)}%` },
  ];
}

/** `/health 3ms`, `unhealthy /health`, or `-` when nothing was probed yet (or nothing runs: the last result is stale). */
function health(s: Row, style: Style): Cell {
  const h = s.health;
  if (!h || (h.status === "unknown" && h.endpoint === null)) return { text: "-" };
  const where = h.endpoint ?? "";
  const latency = h.latencyMs === null || h.latencyMs === undefined ? "" : `${Math.round(h.latencyMs)}ms`;
  // painted like the state of the same name, as the dashboard does
  if (h.status === "unhealthy") return { text: ["unhealthy", where].filter(Boolean).join(" "), paint: paintTone(style, serviceTone("unhealthy")) };
  return { text: [where, latency].filter(Boolean).join(" ") || h.status, paint: h.status === "healthy" ? undefined : style.dim };
}
