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

/** The process groups that have a live (non-zombie) member: one pass over /proc. */
export function scanLiveGroups(): Set<number> {
  const groups = new Set<number>();
  for (const pid of listPids()) {
    const stat = readAnyProcStat(pid);
    if (stat && stat.state !== "Z") groups.add(stat.pgid);
  }
  return groups;
}

/**
 * Whether group `pgid` still has a member that is not a zombie (kill(-pgid, 0) alone counts
 * zombies too), for many waiting stops at once (a shutdown of N services whose leaders
 * exited before the rest of their groups): the stops asking within `windowMs` of one pass
 * over /proc share it, instead of one pass each. "Alive" may come from the shared pass (the
 * stop then looks again at its next poll, at most one poll later than a pass of its own
 * would have told it); "gone", which ends the wait, only from a pass made for it. A group
 * that no longer exists at all (kill(-pgid, 0) fails, the usual case) costs no pass.
 */
export function createGroupLiveness(windowMs: number, scan: () => Set<number> = scanLiveGroups): (pgid: number, now: number) => boolean {
  let groups: Set<number> | null = null;
  let scannedAt = 0;
  const rescan = (now: number) => {
    groups = scan();
    scannedAt = now;
    return groups;
  };
  return (pgid, now) => {
    if (!signalGroup(pgid, 0)) return false;
    const fresh = groups === null || now - scannedAt >= windowMs || now < scannedAt;
    if ((fresh ? rescan(now) : groups!).has(pgid)) return true;
    // "gone" ends the wait, so it comes from a pass of its own (the shared one may predate the group)
    return !fresh && rescan(now).has(pgid);
  };
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
