/**
 * A service that forks a daemon and lets its starter exit, supervised through the pid the
 * daemon writes (SPEC §13 `pidFile`). The handle follows the starter until a live pid that
 * started after it appears in the pid file, then the daemon: its `pid` is the daemon's, a stop
 * signals the daemon's process group, and the daemon's exit is the service's exit.
 *
 * The daemon's exit is seen at once where it can be: the orchestrator is a child subreaper, so
 * a daemon that double-forked is reparented to it, and SIGCHLD plus waitpid on that one pid give
 * its status. A daemon that is not (yet) our child is looked at in /proc every WATCH_MS, and
 * one that is gets the same slow look, in case its SIGCHLD was coalesced with another's.
 * The pid file is read every POLL_MS until the daemon is found (at most `timeoutMs`).
 */
import { readFileSync } from "node:fs";
import { reapChildStatus } from "../lib/libc";
import type { Clock, Timer } from "../lib/clock";
import { spawnErrorExit, toExit } from "./exits";
import { killGroup, signalGroup } from "./group-kill";
import { trackAdopted } from "./own-children";
import { readAnyProcStat } from "./proc-stats";
import { readComm } from "./proc-scan";
import type { ChildHandle, Exit, Leftover, SpawnerNotice } from "./spawner";

export const POLL_MS = 50;
export const WATCH_MS = 1000;

/** What the spawner does for the daemon: the orphan watchdog and the escape catcher are its. */
export interface DaemonHooks {
  /** From now on the service is daemon `pid` in group `pgid`. */
  adopt(pid: number, pgid: number): void;
  /** The service has ended: kill what it left and forget its groups; returns what was killed. */
  finish(): Leftover[];
  notify(notice: SpawnerNotice): void;
}

export interface PidFileOptions {
  name: string;
  path: string;
  timeoutMs: number;
  clock: Clock;
  hooks: DaemonHooks;
}

interface Daemon {
  pid: number;
  pgid: number;
  startTicks: number;
  untrack: () => void;
}

export class PidFileChild implements ChildHandle {
  readonly exited: Promise<Exit>;
  /** Resolves once the daemon is found (never, when the service ends before that). */
  readonly started: Promise<void>;
  private markStarted!: () => void;
  private current: number;
  private daemon: Daemon | null = null;
  /** The pid file names the starter itself: a foreground program that writes its own pid (postgres does). */
  private starterIsDaemon = false;
  private ended = false;
  private stopping = false;
  private starterExit: Exit | null = null;
  private readonly starterTicks: number;
  private readonly timers: Timer[] = [];
  private watch: Timer | null = null;
  private resolve!: (exit: Exit) => void;
  private readonly onChild = () => this.checkDaemon();

  constructor(
    private readonly starter: ChildHandle,
    private readonly options: PidFileOptions,
  ) {
    this.current = starter.pid;
    this.starterTicks = readAnyProcStat(starter.pid)?.startTicks ?? 0;
    this.exited = new Promise((resolve) => (this.resolve = resolve));
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    void starter.exited.then((exit) => this.onStarterExit(exit));
    this.timers.push(options.clock.setTimeout(() => this.giveUp(), options.timeoutMs));
    this.poll();
  }

  /** The starter's pid until the daemon is found, then the daemon's. */
  get pid(): number {
    return this.current;
  }

  /** With `command` (shutdown.command): run by the starter's handle while it is the service; a daemon taken over gets `signal`. */
  stop(signal: NodeJS.Signals, timeoutMs: number, command?: string): Promise<Exit> {
    if (this.ended) return this.exited;
    this.stopping = true;
    if (!this.daemon) this.readPidFile(); // written since the last look: stop the daemon itself, gracefully
    if (!this.daemon && this.starterExit) this.end(toExit(null, signal)); // nothing runs but the wait for the file
    if (!this.daemon) return this.starter.stop(signal, timeoutMs, command).then(() => this.exited);
    if (!signalGroup(this.daemon.pgid, signal)) this.checkDaemon();
    this.timers.push(this.options.clock.setTimeout(() => this.kill(), timeoutMs));
    return this.exited;
  }

  kill(): void {
    if (this.ended) return;
    this.stopping = true;
    if (!this.daemon && this.starterExit) return this.end(toExit(null, "SIGKILL"));
    if (!this.daemon) return this.starter.kill();
    killGroup(this.daemon.pgid);
    // Our child: SIGCHLD tells. Otherwise look again soon rather than at the next WATCH_MS.
    this.timers.push(this.options.clock.setTimeout(() => this.checkDaemon(), POLL_MS));
  }

  private onStarterExit(exit: Exit): void {
    this.starterExit = exit;
    if (this.ended) return;
    if (this.starterIsDaemon) return this.end(exit);
    if (this.daemon) return this.checkDaemon(); // it may have just been reparented to us
    if (this.stopping || exit.reason !== "exited" || exit.code !== 0) return this.end(exit);
    this.readPidFile();
  }

  private poll(): void {
    if (this.ended || this.daemon || this.starterIsDaemon) return;
    this.readPidFile();
    if (!this.ended && !this.daemon && !this.starterIsDaemon) this.timers.push(this.options.clock.setTimeout(() => this.poll(), POLL_MS));
  }

  private readPidFile(): void {
    if (this.starterIsDaemon) return;
    const pid = readPid(this.options.path);
    if (pid === null) return;
    if (pid === this.starter.pid) return this.starterRuns();
    const stat = readAnyProcStat(pid);
    // a pid that started before the starter is a file left from an earlier run (or a reused pid)
    if (!stat || stat.state === "Z" || stat.startTicks < this.starterTicks) return;
    this.adopt(pid, stat.pgid, stat.startTicks);
  }

  // Nothing to take over: the service is its starter, as without pidFile, and started once the file names it.
  private starterRuns(): void {
    if (this.starterExit) return;
    this.starterIsDaemon = true;
    this.markStarted();
  }

  private adopt(pid: number, pgid: number, startTicks: number): void {
    // never signal the orchestrator's own group, nor one we cannot name
    const group = pgid > 1 && pgid !== process.pid ? pgid : pid;
    this.daemon = { pid, pgid: group, startTicks, untrack: trackAdopted(pid) };
    this.current = pid;
    this.options.hooks.adopt(pid, group);
    process.on("SIGCHLD", this.onChild);
    const { name, path } = this.options;
    const message = `${name}: supervising pid ${pid} (${readComm(pid) ?? "?"}) from its pidFile ${path}; its starter was pid ${this.starter.pid}`;
    this.options.hooks.notify({ kind: "daemon-adopted", level: "info", message, pid, service: name });
    this.markStarted();
    this.checkDaemon();
  }

  private checkDaemon(): void {
    const daemon = this.daemon;
    if (!daemon || this.ended) return;
    const status = reapChildStatus(daemon.pid);
    if (status.state === "reaped") return this.end(toExit(status.code, status.signal));
    // our child: SIGCHLD tells at once; the slow look stays as a fallback for a SIGCHLD coalesced with another
    if (status.state === "running") return this.armWatch();
    const stat = readAnyProcStat(daemon.pid);
    if (!stat || stat.state === "Z" || stat.startTicks !== daemon.startTicks) {
      return this.end({ code: null, signal: null, reason: "exited", error: `daemon pid ${daemon.pid} is gone; not a child of the orchestrator, so its exit status is unknown` });
    }
    this.armWatch();
  }

  private armWatch(): void {
    this.watch ??= this.options.clock.setTimeout(() => {
      this.watch = null;
      this.checkDaemon();
    }, WATCH_MS);
  }

  private giveUp(): void {
    if (this.ended || this.daemon || this.starterIsDaemon) return;
    this.end(spawnErrorExit(describeMissingPid(this.options.path, this.options.timeoutMs, this.starterExit)));
  }

  private unwatch(): void {
    this.watch?.cancel();
    this.watch = null;
  }

  // After any exit the group is SIGKILLed (SPEC §6), then what the service left is caught.
  private end(exit: Exit): void {
    if (this.ended) return;
    this.ended = true;
    for (const timer of this.timers) timer.cancel();
    this.unwatch();
    process.off("SIGCHLD", this.onChild);
    if (this.daemon) {
      killGroup(this.daemon.pgid);
      this.daemon.untrack();
    }
    this.starter.kill();
    let leftovers: Leftover[] = [];
    try {
      leftovers = this.options.hooks.finish();
    } catch {
      // /proc surprises must not keep `exited` from resolving: the watchdog still sweeps at the end
    }
    this.resolve(leftovers.length > 0 ? { ...exit, leftovers } : exit);
  }
}

/** The pid on the first line of `path` (postmaster.pid has more lines after it), or null when there is none (yet). */
export function readPid(path: string): number | null {
  try {
    const text = readFileSync(path, "latin1").split("\n", 1)[0]!.trim();
    return /^[1-9][0-9]*$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function describeMissingPid(path: string, timeoutMs: number, starterExit: Exit | null): string {
  const pid = readPid(path);
  const after = starterExit ? "; its starter exited with code 0" : "; its starter is still running";
  if (pid === null) return `no pid in its pidFile ${path} within ${timeoutMs}ms${after}`;
  return `its pidFile ${path} names pid ${pid}, which is not a live process started by it (a file left from an earlier run?)${after}`;
}
