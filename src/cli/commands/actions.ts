/**
 * `orchestrator restart|stop|start NAME`: ask a running orchestrator to act on a service.
 * The API accepts the action (202) and carries it out in the background; `--wait` polls
 * the service (each instance of a group with replicas) until the action has visibly taken
 * effect, bounded by `--timeout` (60s).
 */
import type { ServiceActionName } from "../../contract/actions";
import type { ServiceSummary } from "../../contract/service-view";
import { hasGivenUp, isReady } from "../../contract/state-classes";
import { parseDuration } from "../../lib/duration";
import { UsageError, flagString } from "../args";
import type { Command, CliIo } from "../command";
import { ApiClient } from "../client/api-client";
import { stateColor } from "../client/paint-state";
import { resolveApi } from "../client/resolve-api";
import { makeStyle } from "../style";

const DEFAULT_WAIT_MS = 60_000;
const POLL_MS = 250;

function actionCommand(action: ServiceActionName, summary: string): Command {
  return {
    name: action,
    summary,
    usage: `orchestrator ${action} NAME [--wait [--timeout 60s]] [--api URL] [-c FILE]`,
    flags: ["wait", "timeout", "api", "config"],
    async run(args, io) {
      const positionals = args.positionals;
      const [name, ...extra] = positionals;
      if (!name) throw new UsageError(`${action}: which service? usage: orchestrator ${action} NAME`);
      if (extra.length) throw new UsageError(`${action}: expected one service name, got ${positionals.length}: ${positionals.join(" ")}`);
      const timeoutMs = waitTimeout(args.flags.timeout === undefined ? undefined : flagString(args, "timeout"));
      const client = new ApiClient(await resolveApi({ flags: args.flags, env: io.env, cwd: io.cwd }));
      const before = args.flags.wait ? await instancesOf(client, name) : undefined;
      const reply = await client.act(action, name);
      const from = typeof reply.from === "string" ? reply.from : before?.length === 1 ? before[0]!.state : undefined;
      io.stdout(`${action} ${name}: accepted${from ? ` (was ${from})` : ""}\n`);
      if (!before) return 0;
      const codes = await Promise.all(before.map((one) => waitForEffect(client, action, one, timeoutMs, io)));
      return Math.max(...codes);
    },
  };
}

/** The service `name`, or every instance `name@i` of a service with replicas (SPEC §15: the group acts on all). */
async function instancesOf(client: ApiClient, name: string): Promise<ServiceSummary[]> {
  const instances = (await client.services()).filter((s) => s.name.startsWith(`${name}@`) && /^[1-9][0-9]*$/.test(s.name.slice(name.length + 1)));
  return instances.length > 0 ? instances : [await client.service(name)];
}

function waitTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_WAIT_MS;
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new UsageError(`--timeout: expected a duration like 30s or 2m, got "${raw}"`);
  return ms;
}

/** Poll until the action shows: stopped, or (re)started and healthy with a new pid for restart. */
async function waitForEffect(client: ApiClient, action: ServiceActionName, before: ServiceSummary, timeoutMs: number, io: CliIo): Promise<number> {
  const style = makeStyle(io.color);
  const deadline = Date.now() + timeoutMs;
  let last = before;
  for (;;) {
    await Bun.sleep(POLL_MS);
    last = await client.service(before.name);
    const verdict = judge(action, before, last);
    if (verdict !== "pending") {
      const pid = last.pid ? `, pid ${last.pid}` : "";
      const line = `${action} ${last.name}: ${verdict === "done" ? "done" : "failed"} (${stateColor(style, last.state)(last.state)}${pid})`;
      if (verdict === "done") io.stdout(line + "\n");
      else io.stderr(`${line}${last.lastReason ? `: ${last.lastReason}` : ""}\n`);
      return verdict === "done" ? 0 : 1;
    }
    if (Date.now() >= deadline) {
      io.stderr(`${action} ${before.name}: still ${last.state} after ${Math.round(timeoutMs / 1000)} s; see orchestrator logs ${before.name}\n`);
      return 1;
    }
  }
}

export function judge(action: ServiceActionName, before: ServiceSummary, now: ServiceSummary): "done" | "failed" | "pending" {
  // the healer gave up: the wait is over and the action failed
  if (action === "stop") return now.state === "stopped" || now.state === "completed" ? "done" : hasGivenUp(now.state) ? "failed" : "pending";
  if (hasGivenUp(now.state)) return "failed";
  const settled = isReady(now.state);
  if (action === "restart") return settled && now.pid !== before.pid ? "done" : "pending";
  return settled ? "done" : "pending";
}

export const restartCommand = actionCommand("restart", "restart a service of a running orchestrator");
export const stopCommand = actionCommand("stop", "stop a service of a running orchestrator (it stays stopped)");
export const startCommand = actionCommand("start", "start a stopped service of a running orchestrator");
