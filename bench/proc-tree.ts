/** What the chaos runner reads of /proc: one process's identity, a tree, the processes of one executable. */
import { readdirSync, readlinkSync } from "node:fs";
import { readAnyProcStat } from "../src/process/proc-stats";

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  /** Start time in clock ticks since boot: (pid, start) names one process even if pids are reused. */
  start: string;
}

export function procInfo(pid: number): ProcInfo | null {
  const stat = readAnyProcStat(pid);
  return stat && { pid, state: stat.state, ppid: stat.ppid, start: String(stat.startTicks) };
}

export function allPids(): number[] {
  return readdirSync("/proc").flatMap((entry) => (/^\d+$/.test(entry) ? [Number(entry)] : []));
}

export function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** True when `exe` (a /proc/PID/exe link) is `binary`, also after the file was deleted. */
export function isExe(exe: string | null, binary: string): boolean {
  return exe === binary || exe === `${binary} (deleted)`;
}

/** Running (not zombie) processes whose executable is `binary`. */
export function processesOf(binary: string): number[] {
  return allPids().filter((pid) => {
    const info = procInfo(pid);
    return info !== null && info.state !== "Z" && info.state !== "X" && isExe(exeOf(pid), binary);
  });
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): ProcInfo[] {
  const infos = allPids().flatMap((pid) => procInfo(pid) ?? []);
  const children = new Map<number, ProcInfo[]>();
  for (const info of infos) {
    const list = children.get(info.ppid) ?? [];
    list.push(info);
    children.set(info.ppid, list);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Still the same process (same start time) and not a zombie. */
export function stillRuns(proc: { pid: number; start: string }): boolean {
  const info = procInfo(proc.pid);
  return info !== null && info.start === proc.start && info.state !== "Z" && info.state !== "X";
}

/** utime + stime of `pid` in clock ticks (1/CLOCK_TICKS_PER_SECOND s). */
export function cpuTicks(pid: number): number {
  return readAnyProcStat(pid)?.cpuTicks ?? 0;
}
