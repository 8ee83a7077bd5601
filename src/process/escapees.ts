/**
 * Which processes of a process table escaped a service and must die with it. Pure: the
 * table comes from proc-scan.ts (or a test).
 *
 * A process belongs to the spawn whose marker it carries. Without a marker of this run (it
 * cleared its environment, or reads of it are not allowed) it is traced in two ways:
 *   - tree: a descendant of a process that is killed goes with it;
 *   - stray: a child of the orchestrator that Bun did not spawn was adopted (subreaper) from
 *     some service, but nothing says which. It is put down to the spawn that just ended when
 *     it started during that spawn's life and before every spawn still running started;
 *     otherwise it waits for the stop of those (and for shutdown, which takes everything).
 */
import { parseMarker, type Marker } from "./marker";
import type { ProcessInfo } from "./proc-scan";

export interface SpawnRecord {
  /** Its ORCHESTRATOR_SERVICE value. */
  marker: string;
  name: string;
  /** Its leader's pid, which is also its process group id. */
  pid: number;
  /** Start time of the service's leader, in clock ticks since boot. */
  startTicks: number;
}

export interface EscapeContext {
  runId: string;
  selfPid: number;
  /** Is this child of ours one Bun spawned (a service, a probe, the watchdog)? Those are never ours to kill here. */
  isOwnChild: (child: ProcessInfo) => boolean;
  /** Spawns still running. */
  live: readonly SpawnRecord[];
}

export interface Escapee {
  pid: number;
  startTicks: number;
  /** The service it is put down to; undefined for a stray found at shutdown. */
  service?: string;
  /** "group": still in the spawn's own process group, already SIGKILLed with it (killed again, not reported). */
  how: "group" | "marker" | "probe" | "tree" | "stray";
}

/**
 * The escapees in `processes`: of the spawn `ended` and of every other spawn of this run
 * that is no longer live; or, with `ended` null (shutdown), everything of this run.
 */
export function selectEscapees(processes: readonly ProcessInfo[], context: EscapeContext, ended: SpawnRecord | null): Escapee[] {
  const liveMarkers = new Set(context.live.map((spawn) => spawn.marker));
  const earliestLive = Math.min(...context.live.map((spawn) => spawn.startTicks));
  const chosen = new Map<number, Escapee>();
  // Zombies are dead already (reaping is not killing); Bun's own children are not ours to
  // judge, and asking is kept for last (it may cost a read per open fd).
  const skip = (p: ProcessInfo) => p.state === "Z" || p.pid === context.selfPid;
  const isBuns = (p: ProcessInfo) => p.ppid === context.selfPid && context.isOwnChild(p);

  for (const p of processes) {
    if (skip(p)) continue;
    const found = judge(p, context, ended, liveMarkers, earliestLive);
    if (found && !isBuns(p)) chosen.set(p.pid, found);
  }

  // Descendants go with their ancestor, unless they carry the marker of a spawn still running.
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
  }
  const queue = [...chosen.values()];
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const child of children.get(parent.pid) ?? []) {
      if (chosen.has(child.pid) || skip(child) || (child.marker !== null && liveMarkers.has(child.marker)) || isBuns(child)) continue;
      const next = escapee(child, parent.service, "tree");
      chosen.set(child.pid, next);
      queue.push(next);
    }
  }
  return [...chosen.values()];
}

/** Why `p` goes, judged by itself (marker, group, adoption); null when nothing says it should. */
function judge(p: ProcessInfo, context: EscapeContext, ended: SpawnRecord | null, liveMarkers: Set<string>, earliestLive: number): Escapee | null {
  if (ended && p.pgid === ended.pid) return escapee(p, ended.name, "group");
  const marker = p.marker?.startsWith(`${context.runId}/`) ? parseMarker(p.marker) : null;
  if (marker) {
    const goes = ended === null || isOfEndedSpawn(p, marker, context.live, liveMarkers);
    return goes ? escapee(p, marker.name, marker.spawn === "probe" ? "probe" : "marker") : null;
  }
  if (p.ppid !== context.selfPid) return null;
  if (ended === null) return escapee(p, undefined, "stray");
  return p.startTicks >= ended.startTicks && p.startTicks < earliestLive ? escapee(p, ended.name, "stray") : null;
}

// A spawn marker whose spawn is gone; a probe's marker from before the service's current spawn.
function isOfEndedSpawn(p: ProcessInfo, marker: Marker, live: readonly SpawnRecord[], liveMarkers: Set<string>): boolean {
  if (marker.spawn !== "probe") return !liveMarkers.has(p.marker!);
  const current = live.find((spawn) => spawn.name === marker.name);
  return current === undefined || p.startTicks < current.startTicks;
}

function escapee(p: ProcessInfo, service: string | undefined, how: Escapee["how"]): Escapee {
  const found = { pid: p.pid, startTicks: p.startTicks, how };
  return service === undefined ? found : { ...found, service };
}
