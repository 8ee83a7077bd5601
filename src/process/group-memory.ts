/**
 * The memory a service uses, for `limits.memory` (SPEC §13): the RSS summed over its process
 * tree, which holds its process group and the descendants that left it (setsid'd workers),
 * plus what this process adopted as a subreaper from it (an orphan still in its group, or one
 * carrying its spawn's marker). Reads only those processes: no scan of the whole machine.
 */
import { readMarker } from "./marker";
import { isTrackedChild } from "./own-children";
import { listChildren } from "./proc-scan";
import { readProcStat } from "./proc-stats";

export interface GroupMemory {
  rssBytes: number;
  /** How many live processes were summed. */
  processes: number;
}

const MAX_PROCESSES = 4096;

/** The memory of each leader's service, by leader pid; a leader that is gone is left out. */
export function measureGroups(leaders: readonly number[], pageSize: number, selfPid = process.pid): Map<number, GroupMemory> {
  const roots = new Map<number, number[]>();
  const byGroup = new Map<number, number>();
  const byMarker = new Map<string, number>();
  for (const leader of leaders) {
    const stat = readProcStat(leader);
    if (!stat) continue;
    roots.set(leader, [leader]);
    byGroup.set(stat.pgid, leader);
    const marker = readMarker(leader);
    if (marker) byMarker.set(marker, leader);
  }
  if (roots.size === 0) return new Map();
  for (const child of listChildren(selfPid) ?? []) {
    if (roots.has(child) || isTrackedChild(child)) continue;
    const stat = readProcStat(child);
    if (!stat) continue;
    const marker = readMarker(child);
    const owner = byGroup.get(stat.pgid) ?? (marker ? byMarker.get(marker) : undefined);
    if (owner !== undefined) roots.get(owner)!.push(child);
  }
  const seen = new Set<number>();
  const out = new Map<number, GroupMemory>();
  for (const [leader, starts] of roots) out.set(leader, sumTrees(starts, pageSize, seen));
  return out;
}

// Each process counted once, even if two walks meet it; a tree past MAX_PROCESSES is cut short.
function sumTrees(starts: number[], pageSize: number, seen: Set<number>): GroupMemory {
  const total: GroupMemory = { rssBytes: 0, processes: 0 };
  const queue = [...starts];
  while (queue.length > 0 && total.processes < MAX_PROCESSES) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = readProcStat(pid);
    if (!stat) continue;
    total.rssBytes += stat.rssPages * pageSize;
    total.processes++;
    queue.push(...(listChildren(pid) ?? []));
  }
  return total;
}
