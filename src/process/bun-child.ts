/** One running service process group, as seen through Bun.spawn. */
import type { Subprocess } from "bun";
import type { Clock } from "../lib/clock";
import { toExit } from "./exits";
import { killGroup, signalGroup } from "./group-kill";
import { pumpLines } from "./pump-lines";
import type { ChildHandle, Exit, Leftover } from "./spawner";
import type { StreamName } from "../contract/output";

export interface BunChildOptions {
  clock: Clock;
  /** How long `exited` waits for stdout/stderr to finish after the exit (a setsid'd grandchild may hold them). */
  drainTimeoutMs: number;
  /** Per-pipe read budget in bytes/s (0 = unlimited); see pumpLines. */
  maxOutputBytesPerSecond: number;
  /** Called once the group is gone (after its final SIGKILL); what it returns goes in the exit as `leftovers`. */
  onGone: (pgid: number) => Leftover[] | void;
  /** Leave the group alone when the leader exits (a pidFile starter: its daemon may still be in it). */
  keepGroupOnExit?: boolean;
}

type LineCallback = (stream: StreamName, line: string) => void;

/** The handle of a process spawned detached: its pid is also its process-group id. */
export class BunChild implements ChildHandle {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private ended = false;
  private readonly clock: Clock;

  constructor(proc: Subprocess<"ignore", "pipe", "pipe">, onLine: LineCallback, options: BunChildOptions) {
    this.pid = proc.pid;
    this.clock = options.clock;
    const pump = { clock: options.clock, maxBytesPerSecond: options.maxOutputBytesPerSecond };
    const drained = Promise.all([
      pumpLines(proc.stdout, "stdout", onLine, pump),
      pumpLines(proc.stderr, "stderr", onLine, pump),
    ]);
    this.exited = proc.exited.then(async () => {
      this.ended = true;
      if (!options.keepGroupOnExit) killGroup(this.pid); // a group can outlive its leader: no grandchild survives an exit
      const leftovers = options.onGone(this.pid);
      await waitAtMost(drained, options.drainTimeoutMs, options.clock);
      const exit = toExit(proc.exitCode, proc.signalCode === null ? null : String(proc.signalCode));
      return leftovers && leftovers.length > 0 ? { ...exit, leftovers } : exit;
    });
  }

  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<Exit> {
    if (this.ended) return this.exited;
    signalGroup(this.pid, signal);
    const timer = this.clock.setTimeout(() => this.kill(), timeoutMs);
    void this.exited.then(() => timer.cancel());
    return this.exited;
  }

  kill(): void {
    if (!this.ended) killGroup(this.pid);
  }
}

function waitAtMost(promise: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    void promise.then(() => {
      timer.cancel();
      resolve();
    });
  });
}
