/**
 * Reading the process table from /proc for the escape catcher: one process, the children of
 * one, our adopted subtrees, or every process on the machine. Never throws: a process that
 * vanishes mid-read is simply left out.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readMarker } from "./marker";
import { listLeaderChildren, readAnyProcStat } from "./proc-stats";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even when pids are reused. */
  startTicks: number;
  /** One-letter state; "Z" is a zombie waiting for its parent to reap it. */
  state: string;
  /** The ORCHESTRATOR_SERVICE value it was exec'd with, or null. */
  marker: string | null;
}

/** Stat and marker of `pid`, or null when it is gone. */
export function readProcessInfo(pid: number): ProcessInfo | null {
  const stat = readAnyProcStat(pid);
  if (!stat) return null;
  const marker = stat.state === "Z" ? null : readMarker(pid);
  return { pid, ppid: stat.ppid, pgid: stat.pgid, startTicks: stat.startTicks, state: stat.state, marker };
}

/** Children of `pid` over all its threads (a subreaper's adopted children may hang off any thread); null when /proc cannot say. */
export function listChildren(pid: number): number[] | null {
  const tasks = listDir(`/proc/${pid}/task`);
  if (tasks.length === 0) return null;
  const children: number[] = [];
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "latin1").trim();
      if (text) for (const child of text.split(" ")) children.push(Number(child));
    } catch {
      if (task === String(pid)) return null; // no children file at all (kernel without CONFIG_PROC_CHILDREN)
    }
  }
  return children;
}

/**
 * Pids of the children Bun itself spawned and has not reaped yet: Bun holds a pidfd for each
 * (its fdinfo names the pid) from the spawn until it has reaped the child.
 */
export function readPidfdPids(): Set<number> {
  const pids = new Set<number>();
  for (const fd of listDir("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== "anon_inode:[pidfd]") continue;
      const pid = /^Pid:\s*(-?\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "latin1"))?.[1];
      if (pid !== undefined) pids.add(Number(pid));
    } catch {
      // closed while we looked
    }
  }
  return pids;
}

/** Every process on the machine that we can read. */
export function scanAllProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of listPids()) {
    const info = readProcessInfo(pid);
    if (info) out.push(info);
  }
  return out;
}

/** The pids in /proc, in the order readdir gives them. */
export function listPids(): number[] {
  return listDir("/proc").flatMap((entry) => {
    const pid = Number(entry);
    return Number.isInteger(pid) && pid > 0 ? [pid] : [];
  });
}

/**
 * The children of `self` (its main thread, see listLeaderChildren) that `isOwn` does not claim (adopted as a subreaper), with all their
 * descendants; null when the children files are missing.
 */
export function scanAdoptedTrees(self: number, isOwn: (pid: number) => boolean): ProcessInfo[] | null {
  const top = listLeaderChildren(self);
  return top === null ? null : readTrees(top.filter((pid) => !isOwn(pid)));
}

/**
 * Every descendant of `self` (children over all threads, theirs, and so on), read once each.
 * As a subreaper this is every process a service left anywhere: an orphan is reparented to
 * its nearest subreaper ancestor, which is `self` or one of its descendants. Null when the
 * children files are missing.
 */
export function scanDescendants(self: number): ProcessInfo[] | null {
  const top = listChildren(self);
  return top === null ? null : readTrees(top);
}

/** `roots` and all their descendants, each read once (a zombie has no children to follow). */
function readTrees(roots: number[]): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  const queue = [...roots];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const info = readProcessInfo(pid);
    if (!info) continue;
    out.push(info);
    if (info.state !== "Z") queue.push(...(listChildren(pid) ?? []));
  }
  return out;
}

/** The command name of `pid` (/proc/PID/comm), or null when it is gone. */
export function readComm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "latin1").trim();
  } catch {
    return null;
  }
}

/** The names in directory `path`; empty when it cannot be read. */
export function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
