/** Live RSS and CPU% per pid from /proc/PID/stat: one small read per pid per sample. */
import { readFileSync } from "node:fs";
import { systemClock, type Clock } from "../lib/clock";

/** Linux USER_HZ: utime/stime in /proc/PID/stat count 1/100 s. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcStat {
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Resident set size, in pages. */
  rssPages: number;
  /** One-letter state: R, S, D, Z, … */
  state: string;
  ppid: number;
  /** Process group id. */
  pgid: number;
  /** Start time in clock ticks since boot: (pid, startTicks) names one process even when pids are reused. */
  startTicks: number;
}

export interface ProcUsage {
  pid: number;
  rssBytes: number;
  /** Percent of one core since the previous sample (can exceed 100 on several cores); null on the first sample. */
  cpuPercent: number | null;
}

/** Parse the text of /proc/PID/stat; the command name may hold spaces and parentheses, so split after the last ")". */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  // Fields after ")" start at field 3 (state); ppid=4, pgrp=5, utime=14, stime=15, starttime=22, rss=24.
  const fields = text.slice(close + 2).split(" ");
  if (fields.length < 22) return null;
  return {
    state: fields[0],
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    startTicks: Number(fields[19]),
    rssPages: Number(fields[21]),
  };
}

/** Read and parse /proc/PID/stat, zombies included; null when there is no such pid. */
export function readAnyProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return null;
  }
}

/** Read and parse /proc/PID/stat; null when the pid is gone or a zombie. */
export function readProcStat(pid: number): ProcStat | null {
  const stat = readAnyProcStat(pid);
  return stat && stat.state !== "Z" ? stat : null;
}

const MAX_TREE = 64;

/**
 * The stat of `pid` summed with its descendants (a start script's `sh` and the program it
 * runs, a server's workers): one extra small read per process, via the kernel's child lists.
 */
export function readProcTreeStat(pid: number): ProcStat | null {
  const root = readProcStat(pid);
  if (!root) return null;
  const total = { ...root };
  const queue = listLeaderChildren(pid) ?? [];
  for (let seen = 0; queue.length > 0 && seen < MAX_TREE; seen++) {
    const child = queue.shift()!;
    const stat = readProcStat(child);
    if (!stat) continue;
    total.cpuTicks += stat.cpuTicks;
    total.rssPages += stat.rssPages;
    queue.push(...(listLeaderChildren(child) ?? []));
  }
  return total;
}

/**
 * Children of `pid`'s main thread only: where the kernel reparents an orphan to a subreaper
 * (the first thread of its group that is not exiting, i.e. the main thread while the process
 * runs), and where the main thread's own spawns hang. One read instead of one per thread:
 * the escape catcher does this at every end of a spawn. Null when /proc cannot say.
 */
export function listLeaderChildren(pid: number): number[] | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/children`, "latin1").trim();
  } catch {
    return null;
  }
  return text ? text.split(" ").map(Number) : [];
}

export interface ProcStatsSamplerOptions {
  clock?: Clock;
  /** Bytes per page; default: detected once from /proc/self (4096 on most machines). */
  pageSize?: number;
}

/**
 * Samples a set of pids. Call `sample(pids)` on an interval; CPU% is the utime+stime delta
 * since that pid's previous sample over the wall time between them. Pids that are gone
 * are left out of the result and forgotten.
 */
export class ProcStatsSampler {
  private readonly clock: Clock;
  private readonly pageSize: number;
  private previous = new Map<number, { ticks: number; at: number }>();

  constructor(options: ProcStatsSamplerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.pageSize = options.pageSize ?? detectPageSize();
  }

  sample(pids: Iterable<number>): Map<number, ProcUsage> {
    const next = new Map<number, { ticks: number; at: number }>();
    const usage = new Map<number, ProcUsage>();
    this.sampleInto(pids, next, usage);
    this.previous = next;
    return usage;
  }

  /**
   * The same sample, `size` pids at a time with `pause()` (a macrotask) between the slices, so
   * the sample of a big fleet (about 20 µs of /proc reads per service) never holds the event
   * loop for long: requests arriving meanwhile are answered between two slices.
   */
  async sampleInSlices(pids: readonly number[], size: number, pause: () => Promise<void> = nextMacrotask): Promise<Map<number, ProcUsage>> {
    const next = new Map<number, { ticks: number; at: number }>();
    const usage = new Map<number, ProcUsage>();
    for (let start = 0; start < pids.length; start += size) {
      if (start > 0) await pause();
      this.sampleInto(pids.slice(start, start + size), next, usage);
    }
    this.previous = next;
    return usage;
  }

  private sampleInto(pids: Iterable<number>, next: Map<number, { ticks: number; at: number }>, usage: Map<number, ProcUsage>): void {
    const now = this.clock.now();
    for (const pid of pids) {
      const stat = pid > 0 ? readProcTreeStat(pid) : null;
      if (!stat) continue;
      const before = this.previous.get(pid);
      const seconds = before ? (now - before.at) / 1000 : 0;
      // A child that exited since the last sample takes its ticks with it: never below 0.
      const cpuPercent =
        before && seconds > 0 ? Math.max(0, ((stat.cpuTicks - before.ticks) / CLOCK_TICKS_PER_SECOND / seconds) * 100) : null;
      usage.set(pid, { pid, rssBytes: stat.rssPages * this.pageSize, cpuPercent });
      next.set(pid, { ticks: stat.cpuTicks, at: now });
    }
  }
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Bytes per memory page: statm counts pages and status counts kB for the same RSS, their ratio is the page size. */
export function detectPageSize(): number {
  try {
    const residentPages = Number(readFileSync("/proc/self/statm", "latin1").split(" ")[1]);
    const vmRssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "latin1"))?.[1]);
    const ratio = (vmRssKb * 1024) / residentPages;
    for (const size of [4096, 16384, 65536]) if (Math.abs(ratio - size) / size < 0.25) return size;
  } catch {
    // not Linux, or /proc hidden
  }
  return 4096;
}
