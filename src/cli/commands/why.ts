/**
 * `orchestrator why NAME [--json]`: the timeline that explains a service's state (SPEC §16),
 * from a running orchestrator's GET /orchestrator/services/NAME/why.
 */
import type { Why } from "../../contract/why";
import { UsageError } from "../args";
import type { Command } from "../command";
import { ApiClient } from "../client/api-client";
import { clockTime } from "../client/format";
import { stateColor } from "../client/paint-state";
import { resolveApi } from "../client/resolve-api";
import { makeStyle, type Style } from "../style";

export const whyCommand: Command = {
  name: "why",
  summary: "explain a service's state: upstream breakers, incidents, attempts, crash context",
  usage: "orchestrator why NAME [--json] [--api URL] [-c FILE]",
  flags: ["json", "api", "config"],
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    if (!name) throw new UsageError("why: which service? usage: orchestrator why NAME [--json]");
    if (extra.length) throw new UsageError(`why: expected one service name, got ${args.positionals.length}: ${args.positionals.join(" ")}`);
    const client = new ApiClient(await resolveApi({ flags: args.flags, env: io.env, cwd: io.cwd }));
    const why = await client.request<Why>("GET", `/orchestrator/services/${encodeURIComponent(name)}/why`, { service: name });
    io.stdout(args.flags.json ? `${JSON.stringify(why, null, 2)}\n` : renderWhy(why, makeStyle(io.color)));
    return 0;
  },
};

export function renderWhy(why: Why, style: Style): string {
  const out = [`${style.bold(why.service)} is ${stateColor(style, why.state)(why.state)}${why.summary.includes(": ") ? `: ${why.summary.slice(why.summary.indexOf(": ") + 2)}` : ""}`];
  if (why.waitingFor) out.push(`waiting for: ${why.waitingFor}`);
  if (why.upstream.length > 0) {
    out.push("", style.bold("upstream"));
    for (const u of why.upstream) out.push(`  ${u.name}  ${stateColor(style, u.state)(u.state)}  breaker ${u.breaker}${u.ready ? "" : style.yellow("  (not ready)")}`);
  }
  if (why.timeline.length > 0) {
    out.push("", style.bold("timeline"));
    for (const entry of why.timeline) out.push(`  ${style.dim(clockTime(entry.ts))}  ${entry.kind === "healing" ? "" : `[${entry.kind}] `}${entry.text}`);
  }
  for (const context of why.crashContext) {
    out.push("", style.bold(`crash context of the failure at ${clockTime(context.ts)} (${context.reason})`));
    if (context.lines.length === 0) out.push(style.dim("  (no output before it)"));
    for (const l of context.lines) out.push(l.stream === "stderr" ? style.red(`  stderr | ${l.line}`) : `  stdout | ${l.line}`);
  }
  return `${out.join("\n")}\n`;
}
