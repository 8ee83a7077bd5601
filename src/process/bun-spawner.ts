/** The real Spawner: each service in its own process group, watched by the fleet orphan watchdog. */
import type { Subprocess } from "bun";
import { existsSync } from "node:fs";
import { systemClock, type Clock } from "../lib/clock";
import { BunChild } from "./bun-child";
import { createFailedChild } from "./exits";
import { spawnCommandString } from "./simple-command";
import type { ChildHandle, SpawnSpec, Spawner, StreamName } from "./spawner";
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
}

/**
 * Spawns with `Bun.spawn({detached: true})`: an argv array is exec'd directly, and so is a
 * string that is one simple command (`PORT=… exec prog args`); any other string runs under
 * `sh -c`. stdout/stderr arrive as lines. Never throws: a bad command or cwd comes
 * back as an Exit with reason `spawn-error`.
 */
export class BunSpawner implements Spawner {
  private readonly clock: Clock;
  private readonly drainTimeoutMs: number;
  private readonly watchdog: OrphanWatchdog | null;
  private readonly maxOutputBytesPerSecond: number;
  private readonly directExec: boolean;

  constructor(options: BunSpawnerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 100;
    this.maxOutputBytesPerSecond = options.maxOutputBytesPerSecond ?? 16 * 1024 * 1024;
    this.directExec = options.directExec ?? true;
    this.watchdog = options.watchdog === false ? null : (options.watchdog ?? new OrphanWatchdog());
  }

  /** Pid of the orphan watchdog (0 before the first spawn or without one). */
  get watchdogPid(): number {
    return this.watchdog?.pid ?? 0;
  }

  spawn(spec: SpawnSpec, onLine: (stream: StreamName, line: string) => void): ChildHandle {
    const argv = toArgv(spec.command);
    if (argv.length === 0) return createFailedChild(`cannot start "${spec.name}": expected a command, got an empty one`);
    const proc = this.start(spec, argv);
    if (proc instanceof Error) return createFailedChild(describeSpawnError(spec, argv, proc));
    this.watchdog?.register(proc.pid);
    return new BunChild(proc, onLine, {
      clock: this.clock,
      drainTimeoutMs: this.drainTimeoutMs,
      maxOutputBytesPerSecond: this.maxOutputBytesPerSecond,
      onGone: (pgid) => this.watchdog?.unregister(pgid),
    });
  }

  private start(spec: SpawnSpec, argv: string[]): Subprocess<"ignore", "pipe", "pipe"> | Error {
    const { cwd, env } = spec;
    try {
      return typeof spec.command === "string"
        ? spawnCommandString(spec.command, { cwd, env, stdout: "pipe", directExec: this.directExec })
        : Bun.spawn(argv, { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Close the watchdog: any group still running is SIGKILLed by it. */
  close(): void {
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
