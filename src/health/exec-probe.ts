/**
 * Exec probe: `sh -c command` (a simple command is exec'd directly), exit 0 is healthy. The command runs in its own process group,
 * and the whole group is SIGKILLed when it exits or times out, so no grandchild outlives a check.
 * With `account` it runs as the service's user and group (`pg_isready` as postgres, not root).
 */
import type { Subprocess } from "bun";
import type { Account } from "../contract/config";
import { systemClock, type Clock } from "../lib/clock";
import { killGroup } from "../process/group-kill";
import { launch } from "../process/launch";
import type { Probe } from "./probe";
import { startCheck } from "./probe-timing";

export interface ExecProbeOptions {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Run as this account (the service's); absent: as the orchestrator. */
  account?: Account;
  clock?: Clock;
}

const STDERR_LIMIT = 200;

/** Create a probe that runs `command` (as `sh -c` would) and reports its exit as health. */
export function createExecProbe(options: ExecProbeOptions): Probe {
  const clock = options.clock ?? systemClock;
  return {
    async check(timeoutMs) {
      const timing = startCheck(clock, timeoutMs);
      let proc: Subprocess<"ignore", "ignore", "pipe">;
      try {
        // a simple command (`pg_isready -h $DB_HOST`) is exec'd without the shell, as start commands are
        const { command, account } = options;
        const env = options.env ?? (process.env as Record<string, string>);
        proc = launch({ command, cwd: options.cwd ?? process.cwd(), env, runAs: account && { account }, stdout: "ignore", stderr: "pipe" });
      } catch (error) {
        return timing.finish(false, options.command, `could not run: ${String(error)}`);
      }
      const stderr = readHead(proc.stderr);
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        killGroup(proc.pid);
      }, timeoutMs);
      const code = await proc.exited;
      timer.cancel();
      killGroup(proc.pid);
      if (timedOut) return timing.finish(false, options.command, `timeout after ${timeoutMs}ms`);
      if (code === 0) return timing.finish(true, options.command);
      const detail = await stderr;
      return timing.finish(false, options.command, `exit code ${code}${detail ? `: ${detail}` : ""}`);
    },
  };
}

/** The first line of stderr, trimmed; stops reading once it has enough, never throws. */
async function readHead(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < STDERR_LIMIT) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // the pipe closed under us; keep what we have
  } finally {
    reader.cancel().catch(() => {});
  }
  return (text.trim().split("\n")[0] ?? "").slice(0, STDERR_LIMIT);
}
