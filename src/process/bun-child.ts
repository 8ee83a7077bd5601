/** One running service process group, as seen through Bun.spawn. */
import type { Subprocess } from "bun";
import type { Clock } from "../lib/clock";
import { toExit } from "./exits";
import { createGroupLiveness, killGroup, listGroupMembers, signalGroup } from "./group-kill";
import type { OutputPipes } from "./output-pipes";
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
  /** Starts `command` as the stop command of process `mainPid` (output to this child's lines); absent for a child that is itself one. */
  startStopCommand?: (command: string, mainPid: number) => ChildHandle;
}

/** How often a stop whose leader has exited looks whether the rest of its group is gone. */
const GROUP_POLL_MS = 20;
/** Every such stop of the process shares one /proc pass per poll (shutdown.timeout semantics unchanged). */
const groupIsLive = createGroupLiveness(GROUP_POLL_MS / 2);

type LineCallback = (stream: StreamName, line: string) => void;

/** The handle of a process spawned detached: its pid is also its process-group id. */
export class BunChild implements ChildHandle {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private ended = false;
  private readonly clock: Clock;
  private timedOut = false;
  private stopCommand: ChildHandle | null = null;
  /** When a stop's SIGKILL is due; null while no stop was asked for. */
  private stopDeadline: number | null = null;
  private deadlinePassed!: () => void;
  private readonly deadline = new Promise<void>((resolve) => (this.deadlinePassed = resolve));

  constructor(
    proc: Subprocess<"ignore", "ignore", "ignore">,
    pipes: OutputPipes,
    private readonly onLine: LineCallback,
    private readonly options: BunChildOptions,
  ) {
    this.pid = proc.pid;
    this.clock = options.clock;
    const drained = pipes.pump(onLine, { clock: options.clock, maxBytesPerSecond: options.maxOutputBytesPerSecond });
    this.exited = proc.exited.then(async () => {
      this.ended = true;
      let groupLeft: Leftover[] = [];
      if (!options.keepGroupOnExit) {
        // A stop ends when the whole group is gone or its time is up, as systemd's control-group stop does:
        // a wrapper shell that dies at the signal must not get the program it started SIGKILLed mid-shutdown.
        if (this.stopDeadline !== null) await this.waitGroupGone(this.stopDeadline);
        // a clean exit that leaves its group running may be a daemonizing starter (daemon-check.ts): say what was left
        else if (proc.exitCode === 0) groupLeft = listGroupMembers(this.pid);
        killGroup(this.pid); // a group can outlive its leader: no grandchild survives an exit
      }
      await this.finishStopCommand();
      const leftovers = options.onGone(this.pid);
      await waitAtMost(drained, options.drainTimeoutMs, options.clock);
      const exit: Exit = toExit(proc.exitCode, proc.signalCode === null ? null : String(proc.signalCode));
      if (leftovers && leftovers.length > 0) exit.leftovers = leftovers;
      if (groupLeft.length > 0) exit.groupLeft = groupLeft;
      return exit;
    });
  }

  /**
   * `signal` to the group, or, with `command`, that command instead (MAINPID = this pid; if
   * it cannot start or fails while the service runs, the signal after all). Either way
   * SIGKILL of the group after `timeoutMs`.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number, command?: string): Promise<Exit> {
    if (this.ended) return this.exited;
    this.stopDeadline ??= this.clock.now() + timeoutMs;
    if (command === undefined || !this.options.startStopCommand) signalGroup(this.pid, signal);
    else if (this.stopCommand === null) this.runStopCommand(command, signal);
    const timer = this.clock.setTimeout(() => {
      this.timedOut = true;
      this.kill();
      this.deadlinePassed();
    }, timeoutMs);
    void this.exited.then(() => timer.cancel());
    return this.exited;
  }

  kill(): void {
    this.stopDeadline = this.clock.now(); // a kill waits for nothing
    this.stopCommand?.kill();
    if (!this.ended) killGroup(this.pid);
  }

  private runStopCommand(command: string, signal: NodeJS.Signals): void {
    const stopper = this.options.startStopCommand!(command, this.pid);
    this.stopCommand = stopper;
    void stopper.exited.then((exit) => {
      if (this.ended || this.timedOut || (exit.reason === "exited" && exit.code === 0)) return;
      const why = exit.reason === "spawn-error" ? exit.error : exit.reason === "exited" ? `it exited with code ${exit.code}` : `it was killed by ${exit.signal}`;
      this.onLine("stderr", `[orchestrator] shutdown command failed (${why}); sending ${signal} instead`);
      signalGroup(this.pid, signal);
    });
  }

  private async waitGroupGone(deadline: number): Promise<void> {
    while (this.clock.now() < deadline && groupIsLive(this.pid, this.clock.now())) await this.clock.sleep(GROUP_POLL_MS);
  }

  // The stop command may still be saying what it did: let it finish, until the stop's deadline.
  private async finishStopCommand(): Promise<void> {
    const stopper = this.stopCommand;
    if (!stopper) return;
    await Promise.race([stopper.exited, this.deadline]);
    stopper.kill();
    await stopper.exited;
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
