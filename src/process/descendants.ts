/**
 * Catches what a service leaves behind outside its process group (a double-forked, setsid'd
 * daemon) and kills it with the service: when one of its spawns ends, and at shutdown.
 *
 * Two ways, decided at the first spawn:
 *   - subreaper: the orchestrator is a child subreaper (prctl), so every orphaned descendant
 *     of a service is reparented to it. Escapees are then among our children that we did
 *     not spawn (own-children.ts; Bun's pidfds confirm it where it matters) and their
 *     subtrees: a scan reads only those. We must reap them ourselves, as Bun reaps only what
 *     it spawned: on SIGCHLD we waitpid the adopted zombies, each by its pid (never
 *     waitpid(-1), which would steal the statuses of Bun's own children).
 *   - marker: where prctl is not available (or Bun's pidfds cannot be seen), a spawn's end
 *     scans every process for its environment marker; PID 1 adopts and reaps as before.
 * Nothing runs at idle: scans happen only when a spawn ends, and at close.
 */
import { systemClock, type Clock, type Timer } from "../lib/clock";
import { selectEscapees, type Escapee, type SpawnRecord } from "./escapees";
import { reapChild, setChildSubreaper } from "../lib/libc";
import { isTrackedChild } from "./own-children";
import { listChildren, readComm, readPidfdPids, scanAdoptedTrees, scanAllProcesses, scanDescendants, type ProcessInfo } from "./proc-scan";
import { readAnyProcStat } from "./proc-stats";
import type { Leftover, SpawnerNotice } from "./spawner";

export interface DescendantCatcherOptions {
  runId: string;
  clock?: Clock;
  /** Must not throw (the spawner wraps its sink). */
  onNotice?: (notice: SpawnerNotice) => void;
  /** false: marker only, no subreaper (tests of that mode). A function replaces prctl: returns why it failed, or null. */
  subreaper?: boolean | ((on: boolean) => string | null);
}

type Mode = "undecided" | "checking" | "subreaper" | "marker" | "closed";

const MAX_ROUNDS = 3;
const REAP_DELAY_MS = 50;

export class DescendantCatcher {
  private mode: Mode = "undecided";
  private readonly live = new Map<string, SpawnRecord>();
  /** Records whose leader's start time is not read yet (see began). */
  private unread: SpawnRecord[] = [];
  private readonly clock: Clock;
  private reapTimer: Timer | null = null;
  private readonly onChild = () => this.scheduleReap();

  constructor(private readonly options: DescendantCatcherOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Call before each spawn: the first turns the subreaper on, before any service can fork. */
  prepare(): void {
    if (this.mode !== "undecided") return;
    if (this.options.subreaper === false) {
      this.mode = "marker";
      return;
    }
    const failure = acquireSubreaper(this.options.subreaper);
    if (failure) return this.degrade(`cannot become a child subreaper: ${failure}`);
    this.mode = "checking";
  }

  /** A spawn started: leader `pid`, carrying `marker`. */
  began(marker: string, name: string, pid: number): void {
    // The leader's start time is read once the current task has run, not here: right after
    // Bun.spawn the child may still be in the kernel's part of its exec, and a read of its
    // /proc/PID/stat waits for that (0.1 ms alone, 0.4 ms median mid-launch, per spawn). Bun
    // reaps only from its event loop, so the pid is still readable then; a sweep before that
    // reads what is missing first.
    const record: SpawnRecord = { marker, name, pid, startTicks: Number.MAX_SAFE_INTEGER };
    this.live.set(marker, record);
    if (this.unread.push(record) === 1) queueMicrotask(() => this.readStartTimes());
    if (this.mode !== "checking") return;
    // Adopted children are told from Bun's by its pidfds: make sure they show.
    if (!readPidfdPids().has(pid)) {
      releaseSubreaper(this.options.subreaper);
      return this.degrade(`cannot tell Bun's own children from adopted ones (no pidfd visible for pid ${pid})`);
    }
    this.mode = "subreaper";
    process.on("SIGCHLD", this.onChild);
  }

  /** The spawn with `marker` has ended and its group was SIGKILLed: kill what it left; returns what was killed outside its group. */
  ended(marker: string): Leftover[] {
    this.readStartTimes();
    const spawn = this.live.get(marker);
    this.live.delete(marker);
    // After close the watchdog has the last word: a late exit must not judge strays with stale spawns.
    if (!spawn || this.mode === "closed") return [];
    return this.sweep(spawn)
      .filter((e) => e.how !== "group" && e.service === spawn.name)
      .map((e) => ({ pid: e.pid, comm: e.comm }));
  }

  /** The spawn with `marker` now lives on as group `pgid` (a daemon it forked, taken over through its pidFile). */
  regroup(marker: string, pgid: number): void {
    this.readStartTimes(); // the start time is the leader's, not the daemon's
    const spawn = this.live.get(marker);
    if (spawn) spawn.pid = pgid;
  }

  /** Shutdown: kill every process of this run still found, adopted strays included; stop being a subreaper. */
  close(): void {
    this.readStartTimes();
    const mode = this.mode;
    this.mode = "closed";
    this.live.clear();
    if (mode === "undecided" || mode === "closed") return;
    this.sweep(null, mode === "subreaper");
    if (mode === "subreaper" || mode === "checking") {
      process.off("SIGCHLD", this.onChild);
      releaseSubreaper(this.options.subreaper);
    }
    this.reapTimer?.cancel();
    this.reapTimer = null;
  }

  private readStartTimes(): void {
    const records = this.unread;
    if (records.length === 0) return;
    this.unread = [];
    for (const record of records) record.startTicks = readAnyProcStat(record.pid)?.startTicks ?? Number.MAX_SAFE_INTEGER;
  }

  private degrade(reason: string): void {
    this.mode = "marker";
    this.notify({
      kind: "subreaper-unavailable",
      level: "warn",
      message: `${reason}; escaped service processes are found by their environment marker only (one that also empties its environment is not caught)`,
    });
  }

  /** `adopting`: still a subreaper, so whatever this run left is among this process's descendants (close() reads only those). */
  private sweep(ended: SpawnRecord | null, adopting = this.mode === "subreaper"): (Escapee & { comm: string })[] {
    const killed: (Escapee & { comm: string })[] = [];
    const first = this.readTable(ended === null, adopting);
    // The usual end of a spawn as a subreaper: no child we did not spawn, so nothing escaped and no adopted zombie waits
    // (this skips judging the table against every live spawn, which made a stop of N services cost O(N²)).
    if (first.length === 0 && ended !== null && adopting) return killed;
    const tried = new Set<number>();
    const context = { runId: this.options.runId, selfPid: process.pid, isOwnChild: this.ownChildTest(), live: [...this.live.values()] };
    // A process may fork between the scan and the kill: look again until nothing new turns up.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = selectEscapees(round === 0 ? first : this.readTable(ended === null, adopting), context, ended).filter((e) => !tried.has(e.pid));
      if (found.length === 0) break;
      for (const escapee of found) {
        tried.add(escapee.pid);
        const comm = readComm(escapee.pid) ?? "?";
        if (killIfSame(escapee)) killed.push({ ...escapee, comm });
      }
    }
    if (this.mode === "subreaper") this.scheduleReap();
    this.report(killed);
    return killed;
  }

  // Marker mode: every process on the host. A subreaper: the adopted trees at the end of a spawn, all descendants at close.
  private readTable(everything: boolean, adopting: boolean): ProcessInfo[] {
    if (!adopting) return scanAllProcesses();
    return (everything ? scanDescendants(process.pid) : scanAdoptedTrees(process.pid, isTrackedChild)) ?? scanAllProcesses();
  }

  /**
   * Bun's own children: those spawned through src/process; else, for a child without this
   * run's marker (a stray candidate), whatever Bun holds a pidfd for, read once when first needed.
   */
  private ownChildTest(): (child: ProcessInfo) => boolean {
    let pidfds: Set<number> | undefined;
    const prefix = `${this.options.runId}/`;
    return (child) => isTrackedChild(child.pid) || (!child.marker?.startsWith(prefix) && (pidfds ??= readPidfdPids()).has(child.pid));
  }

  private scheduleReap(): void {
    if (this.reapTimer || this.mode !== "subreaper") return;
    // A little later: Bun reaps its own children first, so fewer zombies are left to look at.
    this.reapTimer = this.clock.setTimeout(() => {
      this.reapTimer = null;
      reapAdoptedZombies();
    }, REAP_DELAY_MS);
  }

  private report(killed: (Escapee & { comm: string })[]): void {
    const byService = new Map<string | undefined, (Escapee & { comm: string })[]>();
    for (const e of killed) if (e.how !== "group") byService.set(e.service, [...(byService.get(e.service) ?? []), e]);
    for (const [service, list] of byService) {
      const what = `${list.length} ${list.length === 1 ? "process" : "processes"}`;
      const pids = list.map((e) => `${e.pid} (${e.comm})`).join(", ");
      const message = service
        ? `${service}: killed ${what} that escaped its process group: ${pids}`
        : `killed ${what} adopted by the orchestrator that no service could be matched to: ${pids}`;
      this.notify({ kind: "descendants-killed", level: "warn", message, pid: list[0]!.pid, ...(service ? { service } : {}) });
    }
  }

  private notify(notice: SpawnerNotice): void {
    this.options.onNotice?.(notice);
  }
}

/**
 * waitpid, each by its pid, the zombie children of this process that Bun did not spawn;
 * returns the pids reaped. A zombie Bun spawned keeps its pidfd until Bun has reaped it, so
 * it is never taken here, whatever the timing (a stolen status makes Bun abort on ECHILD).
 */
export function reapAdoptedZombies(): number[] {
  const reaped: number[] = [];
  let pidfds: Set<number> | undefined;
  for (const pid of listChildren(process.pid) ?? []) {
    if (isTrackedChild(pid) || readAnyProcStat(pid)?.state !== "Z" || (pidfds ??= readPidfdPids()).has(pid)) continue;
    if (reapChild(pid) === "reaped") reaped.push(pid);
  }
  return reaped;
}

/** SIGKILL `e` if that pid is still the same process (same start time) and alive. */
function killIfSame(e: Escapee): boolean {
  const stat = readAnyProcStat(e.pid);
  if (!stat || stat.startTicks !== e.startTicks || stat.state === "Z") return false;
  try {
    process.kill(e.pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

// One subreaper setting per process, shared by every spawner in it (tests run several).
let subreaperUsers = 0;

function acquireSubreaper(custom: DescendantCatcherOptions["subreaper"]): string | null {
  if (typeof custom === "function") return custom(true);
  if (subreaperUsers === 0) {
    const failure = setChildSubreaper(true);
    if (failure) return failure;
  }
  subreaperUsers++;
  return null;
}

function releaseSubreaper(custom: DescendantCatcherOptions["subreaper"]): void {
  if (typeof custom === "function") return void custom(false);
  if (subreaperUsers > 0 && --subreaperUsers === 0) setChildSubreaper(false);
}
