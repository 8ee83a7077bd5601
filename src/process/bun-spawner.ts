/** The real Spawner: each service in its own process group, watched by the fleet orphan watchdog. */
import type { Subprocess } from "bun";
import { existsSync } from "node:fs";
import { systemClock, type Clock } from "../lib/clock";
import { BunChild } from "./bun-child";
import { DescendantCatcher } from "./descendants";
import { createFailedChild } from "./exits";
import { createRunId, formatMarker, MARKER_VAR } from "./marker";
import { currentIdentity, needsAccountSwitch } from "../lib/run-as-tools";
import { launch } from "./launch";
import { NotifyHub } from "./notify-hub";
import { OutputPipes } from "./output-pipes";
import { PidFileChild, type DaemonHooks } from "./pid-file-child";
import { openReadyChannel, type ReadyChannel } from "./ready-channel";
import type { ChildHandle, Leftover, NotifyFields, SpawnSpec, Spawner, SpawnerNotice } from "./spawner";
import type { StreamName } from "../contract/output";
import { OrphanWatchdog } from "./watchdog";

export interface BunSpawnerOptions {
  /** Timers for stop timeouts; defaults to the system clock. */
  clock?: Clock;
  /** How long an exit waits for the last output to drain (default 100 ms). */
  drainTimeoutMs?: number;
  /** Most output bytes/s read per pipe of each service; a faster writer is slowed by backpressure, nothing is lost. Default 16 MiB/s; 0 = unlimited. */
  maxOutputBytesPerSecond?: number;
  /** Pass `false` to run without the orphan watchdog (only for tests of the watchdog itself). */
  watchdog?: OrphanWatchdog | false;
  /** Exec simple command strings without `sh -c` (default true; see simple-command.ts). */
  directExec?: boolean;
  /** Where the spawner reports a replaced watchdog, killed escapees, a missing subreaper. */
  onNotice?: (notice: SpawnerNotice) => void;
  /** false: catch escaped daemons by their marker only (tests of that mode); a function stands in for prctl (returns why it failed, or null). */
  subreaper?: boolean | ((on: boolean) => string | null);
  /** Where `notify: systemd` sockets come from (default: a NotifyHub of its own). */
  notifyHub?: NotifyHub;
}

/**
 * Spawns with `Bun.spawn({detached: true})`: an argv array is exec'd directly, and so is a
 * string that is one simple command (`PORT=… exec prog args`); any other string runs under
 * `sh -c`; a `pidFile` follows the daemon the starter forks (pid-file-child.ts); a `runAs` puts the exec chain of run-as.ts in front. stdout/stderr are real pipes
 * (output-pipes.ts) and arrive as lines; stdin is /dev/null. Never throws: a bad command or cwd comes
 * back as an Exit with reason `spawn-error`. Each spawn carries an ORCHESTRATOR_SERVICE
 * marker (marker.ts); what it leaves outside its group dies with it (descendants.ts).
 */
export class BunSpawner implements Spawner {
  private readonly clock: Clock;
  private readonly drainTimeoutMs: number;
  private readonly watchdog: OrphanWatchdog | null;
  private readonly maxOutputBytesPerSecond: number;
  private readonly directExec: boolean;
  private readonly catcher: DescendantCatcher;
  private readonly notify: (notice: SpawnerNotice) => void;
  private spawns = 0;
  /** The sd_notify sockets of `notify: systemd` services; its worker starts with the first. */
  readonly notifyHub: NotifyHub;
  /** Tells this spawner's processes apart from any other's on the host, in every marker. */
  readonly runId = createRunId();

  constructor(options: BunSpawnerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 100;
    this.maxOutputBytesPerSecond = options.maxOutputBytesPerSecond ?? 16 * 1024 * 1024;
    this.directExec = options.directExec ?? true;
    this.notifyHub = options.notifyHub ?? new NotifyHub();
    const notify = (this.notify = (notice: SpawnerNotice) => {
      try {
        options.onNotice?.(notice);
      } catch {
        // a failing sink must not break spawning
      }
    });
    this.catcher = new DescendantCatcher({ runId: this.runId, clock: this.clock, onNotice: notify, subreaper: options.subreaper });
    const onReplaced = (oldPid: number, newPid: number) =>
      notify({ kind: "watchdog-replaced", level: "warn", pid: newPid, message: `the orphan watchdog (pid ${oldPid}) died; replaced by pid ${newPid}` });
    this.watchdog = options.watchdog === false ? null : (options.watchdog ?? new OrphanWatchdog({ runId: this.runId, onReplaced, clock: this.clock }));
  }

  /** Pid of the orphan watchdog (0 before the first spawn or without one). */
  get watchdogPid(): number {
    return this.watchdog?.pid ?? 0;
  }

  spawn(spec: SpawnSpec, onLine: (stream: StreamName, line: string) => void, onNotify: (fields: NotifyFields) => void = () => {}): ChildHandle {
    const argv = toArgv(spec.command);
    if (argv.length === 0) return createFailedChild(`cannot start "${spec.name}": expected a command, got an empty one`);
    const marker = formatMarker({ runId: this.runId, spawn: ++this.spawns, name: spec.name });
    let channel: ReadyChannel;
    try {
      channel = openReadyChannel(spec, marker, this.notifyHub, onNotify);
    } catch (error) {
      return createFailedChild(`cannot start "${spec.name}": its notification channel (${spec.notify?.kind}): ${error instanceof Error ? error.message : String(error)}`);
    }
    this.catcher.prepare();
    // Built for each spawn, not kept: a copy per child would be ~60 properties held for its lifetime.
    const childEnv = (extra?: Record<string, string>) => ({ ...spec.env, ...channel.env, [MARKER_VAR]: marker, ...extra });
    const started = this.start({ ...spec, env: childEnv() }, channel);
    if (started instanceof Error) {
      channel.close();
      return createFailedChild(describeSpawnError(spec, argv, started));
    }
    const { proc, pipes } = started;
    channel.began(proc.pid);
    this.catcher.began(marker, spec.name, proc.pid);
    this.watchdog?.register(proc.pid);
    // same account, cwd and environment (marker included: what it leaves goes with the service)
    const startStopCommand = (command: string, mainPid: number) =>
      this.spawnStopCommand({ ...spec, command, env: childEnv({ MAINPID: String(mainPid) }), runAs: { account: spec.runAs?.account } }, onLine);
    const options = { ...this.childOptions(), startStopCommand };
    const child = spec.pidFile
      ? this.superviseDaemon(spec.name, spec.pidFile, marker, (hooks) => new BunChild(proc, pipes, onLine, { ...options, ...hooks }), channel)
      : new BunChild(proc, pipes, onLine, { ...options, onGone: (pgid) => this.endSpawn(marker, pgid) });
    void child.exited.then(() => channel.close());
    return child;
  }

  /** The spawn with `marker` is over: kill what it left (returned), stop watching group `pgid`. */
  private endSpawn(marker: string, pgid: number): Leftover[] {
    this.watchdog?.unregister(pgid);
    try {
      return this.catcher.ended(marker);
    } catch {
      return []; // /proc surprises must not keep `exited` from resolving: the watchdog and close() still sweep
    }
  }

  // pidFile: the starter's exit ends nothing (its daemon may still be in its group); the daemon's does.
  private superviseDaemon(
    name: string,
    pidFile: NonNullable<SpawnSpec["pidFile"]>,
    marker: string,
    startStarter: (hooks: { keepGroupOnExit: true; onGone: (pgid: number) => void }) => BunChild,
    channel: ReadyChannel,
  ): ChildHandle {
    let daemonGroup = 0;
    const starter = startStarter({ keepGroupOnExit: true, onGone: (pgid) => void (pgid !== daemonGroup && this.watchdog?.unregister(pgid)) });
    const hooks: DaemonHooks = {
      adopt: (_pid, pgid) => {
        daemonGroup = pgid;
        channel.began(pgid);
        this.watchdog?.register(pgid);
        this.catcher.regroup(marker, pgid);
      },
      finish: () => this.endSpawn(marker, daemonGroup || starter.pid),
      notify: this.notify,
    };
    return new PidFileChild(starter, { name, ...pidFile, clock: this.clock, hooks });
  }

  private spawnStopCommand(spec: SpawnSpec, onLine: (stream: StreamName, line: string) => void): ChildHandle {
    const started = this.start(spec);
    if (started instanceof Error) return createFailedChild(describeSpawnError(spec, toArgv(spec.command), started));
    const { proc, pipes } = started;
    this.watchdog?.register(proc.pid);
    return new BunChild(proc, pipes, onLine, { ...this.childOptions(), onGone: (pgid) => this.watchdog?.unregister(pgid) });
  }

  private childOptions() {
    return { clock: this.clock, drainTimeoutMs: this.drainTimeoutMs, maxOutputBytesPerSecond: this.maxOutputBytesPerSecond };
  }

  /** An exec probe's environment carries the service's probe marker, so what it leaves behind is found too. */
  probeEnv(name: string, env: Record<string, string>): Record<string, string> {
    return { ...env, [MARKER_VAR]: formatMarker({ runId: this.runId, spawn: "probe", name }) };
  }

  private start(spec: SpawnSpec, channel?: ReadyChannel): { proc: Subprocess<"ignore", "ignore", "ignore">; pipes: OutputPipes } | Error {
    let pipes: OutputPipes;
    try {
      const account = spec.runAs?.account;
      pipes = new OutputPipes(account && needsAccountSwitch(account, currentIdentity()) ? account : undefined);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    try {
      const { command, cwd, env, runAs } = spec;
      const extra = { extraFds: channel?.extraFds, exportWatchdogPid: channel?.exportWatchdogPid };
      const proc = launch({ command, cwd, env, runAs, stdout: pipes.stdout, stderr: pipes.stderr, directExec: this.directExec, ...extra });
      pipes.closeWriteEnds();
      return { proc, pipes };
    } catch (error) {
      pipes.closeAll();
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Kill what is left of this run's escapees, then close the watchdog: any group still running is SIGKILLed by it. */
  close(): void {
    this.notifyHub.close();
    this.catcher.close();
    this.watchdog?.close();
  }
}

function toArgv(command: string[] | string): string[] {
  return typeof command === "string" ? ["/bin/sh", "-c", command] : command;
}

// Only on the failure path: find out which of command and cwd was missing, for a useful message.
function describeSpawnError(spec: SpawnSpec, argv: string[], error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!existsSync(spec.cwd)) return `cannot start "${spec.name}": working directory ${spec.cwd} does not exist`;
  if ((error as NodeJS.ErrnoException)?.code === "ENOENT")
    return `cannot start "${spec.name}": command not found: ${argv[0]} (${message})`;
  return `cannot start "${spec.name}": ${message}`;
}
