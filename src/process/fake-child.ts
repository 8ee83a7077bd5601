/** A pretend child process that a test drives by hand. Used through FakeSpawner. */
import type { Clock } from "../lib/clock";
import { spawnErrorExit, toExit } from "./exits";
import { parseNotifyMessage } from "./notify-message";
import type { ChildHandle, Exit, Leftover, NotifyFields, SpawnSpec } from "./spawner";
import type { StreamName } from "../contract/output";

/**
 * What a FakeChild does when `stop(signal, timeoutMs, command?)` reaches it:
 * - `"obey"`: dies of the signal at once (exits 0 at once when stopped by a command);
 * - `"ignore"`: ignores it, so stop SIGKILLs it after `timeoutMs` on the injected clock;
 * - `{ exitAfterMs }`: exits with code 0 that long after the signal (a graceful shutdown),
 *   or is SIGKILLed at `timeoutMs` if that comes first.
 */
export type StopBehaviour = "obey" | "ignore" | { exitAfterMs: number };

type LineCallback = (stream: StreamName, line: string) => void;

export class FakeChild implements ChildHandle {
  /** Fake pid; 0 for a spawn that failed. */
  readonly pid: number;
  /** The spec it was spawned with. */
  readonly spec: SpawnSpec;
  readonly exited: Promise<Exit>;
  /** Every signal sent to it through stop()/kill(), in order, e.g. ["SIGTERM", "SIGKILL"]; a stop by command sends none. */
  readonly signals: string[] = [];
  /** Every shutdown command a stop() ran instead of its signal, in order. */
  readonly stopCommands: string[] = [];
  /** What it does on stop(); set per child, or per service with FakeSpawner.setStopBehaviour. */
  stopBehaviour: StopBehaviour;
  private result: Exit | null = null;
  private resolveExit!: (exit: Exit) => void;

  constructor(
    pid: number,
    spec: SpawnSpec,
    private readonly onLine: LineCallback,
    private readonly clock: Clock,
    stopBehaviour: StopBehaviour,
    private readonly onNotify: (fields: NotifyFields) => void = () => {},
  ) {
    this.pid = pid;
    this.spec = spec;
    this.stopBehaviour = stopBehaviour;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /** True until it has exited (or failed to spawn). */
  get running(): boolean {
    return this.result === null;
  }

  /** How it ended, or null while it runs. */
  get exitResult(): Exit | null {
    return this.result;
  }

  /**
   * End it: a number exits with that code, a signal name ("SIGSEGV") kills it with that signal.
   * `leftovers`: what the escape catcher killed with it (a daemon it forked); `groupLeft`: what
   * was still running in its group. No-op once exited.
   */
  exit(codeOrSignal: number | NodeJS.Signals = 0, leftovers?: Leftover[], groupLeft?: Leftover[]): void {
    const exit = typeof codeOrSignal === "number" ? toExit(codeOrSignal, null) : toExit(null, codeOrSignal);
    this.finish({ ...exit, ...(leftovers ? { leftovers } : {}), ...(groupLeft ? { groupLeft } : {}) });
  }

  /** Make it print `line` on `stream`; the spawn's line callback runs synchronously. */
  emit(stream: StreamName, line: string): void {
    if (!this.running) throw new Error(`FakeChild ${this.spec.name}: expected a running child to emit, it has exited`);
    this.onLine(stream, line);
  }

  /** Make it send an sd_notify message (`"READY=1\nSTATUS=up"`) or, for `notify: fd`, its newline (`"READY=1"`). */
  notify(message: string): void {
    if (!this.running) throw new Error(`FakeChild ${this.spec.name}: expected a running child to notify, it has exited`);
    this.onNotify(parseNotifyMessage(message));
  }

  /** With `command`, the behaviour answers the command as it would the signal; "obey" then exits with code 0 (the command stopped it). */
  stop(signal: NodeJS.Signals, timeoutMs: number, command?: string): Promise<Exit> {
    if (!this.running) return this.exited;
    if (command === undefined) this.signals.push(signal);
    else this.stopCommands.push(command);
    const behaviour = this.stopBehaviour;
    if (behaviour === "obey") {
      this.exit(command === undefined ? signal : 0);
      return this.exited;
    }
    const killTimer = this.clock.setTimeout(() => this.kill(), timeoutMs);
    const exitTimer = behaviour === "ignore" ? null : this.clock.setTimeout(() => this.exit(0), behaviour.exitAfterMs);
    void this.exited.then(() => {
      killTimer.cancel();
      exitTimer?.cancel();
    });
    return this.exited;
  }

  kill(): void {
    if (!this.running) return;
    this.signals.push("SIGKILL");
    this.exit("SIGKILL");
  }

  /** @internal FakeSpawner marks a failed spawn with this. */
  failSpawn(error: string): void {
    this.finish(spawnErrorExit(error));
  }

  private finish(exit: Exit): void {
    if (this.result) return;
    this.result = exit;
    this.resolveExit(exit);
  }
}
