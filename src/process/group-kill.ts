/** Signals to a whole process group, where "already gone" is not an error. */
import { listPids, readComm } from "./proc-scan";
import { readAnyProcStat } from "./proc-stats";

/** Send `signal` to process group `pgid`; returns false when the group no longer exists (ESRCH). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** SIGKILL every process in group `pgid`; a missing group is fine. */
export function killGroup(pgid: number): void {
  signalGroup(pgid, "SIGKILL");
}

/** Whether group `pgid` still has a member that is not a zombie (kill(-pgid, 0) alone counts zombies too). */
export function groupHasLiveMembers(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  for (const pid of listPids()) {
    const stat = readAnyProcStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== "Z") return true;
  }
  return false;
}

/** The live (non-zombie) members of group `pgid`, with their names; [] at once when the group is gone (the usual case). */
export function listGroupMembers(pgid: number): { pid: number; comm: string }[] {
  if (!signalGroup(pgid, 0)) return [];
  const members: { pid: number; comm: string }[] = [];
  for (const pid of listPids()) {
    const stat = readAnyProcStat(pid);
    if (stat && stat.pgid === pgid && stat.state !== "Z") members.push({ pid, comm: readComm(pid) ?? "?" });
  }
  return members;
}
