/**
 * `orchestrator logs NAME [-f] [-n 100]`: print a service's recent output as
 * `HH:MM:SS.mmm [stream] line`; with -f keep following it until SIGINT or SIGTERM (exit 0).
 */
import type { LogLine } from "../../contract/output";
import { UsageError, flagString } from "../args";
import type { CliIo, Command } from "../command";
import { ApiClient } from "../client/api-client";
import { followLogs } from "../client/follow-logs";
import { clockTime } from "../client/format";
import { resolveApi } from "../client/resolve-api";
import { makeStyle } from "../style";

const DEFAULT_LINES = 100;
/** The API serves at most this many lines. */
const MAX_LINES = 1000;

export interface LogsDeps {
  /** The signal that ends `logs -f`; by default SIGINT or SIGTERM. */
  untilStopped(): { signal: AbortSignal; dispose(): void };
}

/** SIGINT/SIGTERM abort the follow; the handlers are removed when it ends. */
function untilSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => void (process.off("SIGINT", stop), process.off("SIGTERM", stop)),
  };
}

export function createLogsCommand(deps: LogsDeps = { untilStopped: untilSignal }): Command {
  return {
    name: "logs",
    summary: "print a service's recent output; -f keeps following it",
    usage: "orchestrator logs NAME [-f] [-n 100] [--api URL] [-c FILE]",
    flags: ["follow", "lines", "api", "config"],
    async run(args, io) {
      const [name, ...extra] = args.positionals;
      if (!name) throw new UsageError("logs: which service? usage: orchestrator logs NAME [-f] [-n 100]");
      if (extra.length) throw new UsageError(`logs: expected one service name, got ${args.positionals.length}: ${args.positionals.join(" ")}`);
      const lines = lineCount(flagString(args, "lines"));
      const client = new ApiClient(await resolveApi({ flags: args.flags, env: io.env, cwd: io.cwd }));
      const print = printer(io);
      if (!args.flags.follow) {
        if (lines > 0) (await client.logs(name, lines)).forEach(print);
        return 0;
      }
      const stop = deps.untilStopped();
      try {
        // a reader that went away (`logs -f | head`) ends the following, as Ctrl-C does
        const signal = io.stdoutGone ? AbortSignal.any([stop.signal, io.stdoutGone]) : stop.signal;
        await followLogs({ client, name, lines, signal, print, notice: (text) => io.stderr(`orchestrator: ${text}\n`) });
      } finally {
        stop.dispose();
      }
      return 0;
    },
  };
}

function lineCount(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LINES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_LINES) throw new UsageError(`-n/--lines: expected a whole number from 0 to ${MAX_LINES}, got "${raw}"`);
  return n;
}

function printer(io: CliIo): (line: LogLine) => void {
  const style = makeStyle(io.color);
  return ({ ts, stream, line }) => {
    const text = `${style.dim(clockTime(ts))} [${stream}] ${line}`;
    io.stdout((stream === "stderr" ? `${style.dim(clockTime(ts))} ${style.red(`[${stream}] ${line}`)}` : text) + "\n");
  };
}

export const logsCommand = createLogsCommand();
