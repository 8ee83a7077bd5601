/**
 * The HostView port: what the supervisor reads from the machine besides its own children (who
 * listens on a port, how much memory a service's processes use, whether cgroup v2 can cap it),
 * and the one thing it may do there: kill a leftover of its own. The real one reads /proc.
 */
import { detectCgroupMemory, type CgroupVerdict } from "./cgroup-v2";
import { measureGroups, type GroupMemory } from "./group-memory";
import { parseMarker } from "./marker";
import { findPortHolder, isPortListening, type PortHolder } from "./port-holder";
import { detectPageSize, readAnyProcStat } from "./proc-stats";

export type { CgroupVerdict } from "./cgroup-v2";
export type { GroupMemory } from "./group-memory";

/** A port's holder, and whether it is one of ours. */
export interface HeldPort extends PortHolder {
  /** The service of this orchestrator's run the holder belongs to (by its marker); absent for anyone else's. */
  service?: string;
  /** The holder is the orchestrator itself (its API, say). */
  self?: boolean;
  /** When the holder started (clock ticks since boot), so a kill hits that very process. */
  startTicks?: number;
}

export interface HostView {
  /** Who listens on TCP `port`; null when nothing does. */
  findPortHolder(port: number): HeldPort | null;
  /** Whether anything listens on TCP `port` (cheaper: the holder is not looked for). */
  isListening(port: number): boolean;
  /** The memory of each leader's processes (see group-memory.ts), by leader pid; gone leaders are left out. */
  measureMemory(leaders: readonly number[]): Map<number, GroupMemory>;
  /** Whether cgroup v2 `memory.max` can enforce limits here, and why not. */
  memoryEnforcement(): CgroupVerdict;
  /** SIGKILL `holder` if it is still the process found; false when it is gone or not ours to kill. */
  killLeftover(holder: HeldPort): boolean;
}

/** The real HostView; `runId` is the spawner's (src/process/marker.ts), so this run's processes are told from others'. */
export function createHostView(runId: string | undefined, selfPid = process.pid): HostView {
  let pageSize: number | undefined;
  let enforcement: CgroupVerdict | undefined;
  return {
    findPortHolder(port) {
      const holder = findPortHolder(port);
      if (!holder || holder.pid === null) return holder;
      const held: HeldPort = { ...holder };
      const stat = readAnyProcStat(holder.pid);
      if (stat) held.startTicks = stat.startTicks;
      if (holder.pid === selfPid) held.self = true;
      const marker = holder.marker ? parseMarker(holder.marker) : null;
      if (runId && marker?.runId === runId) held.service = marker.name;
      return held;
    },
    isListening: (port) => isPortListening(port),
    measureMemory: (leaders) => measureGroups(leaders, (pageSize ??= detectPageSize()), selfPid),
    memoryEnforcement: () => (enforcement ??= detectCgroupMemory()),
    killLeftover(holder) {
      if (holder.pid === null || holder.pid === selfPid || holder.service === undefined) return false;
      const stat = readAnyProcStat(holder.pid);
      if (!stat || stat.state === "Z" || (holder.startTicks !== undefined && stat.startTicks !== holder.startTicks)) return false;
      try {
        process.kill(holder.pid, "SIGKILL");
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** A HostView that sees nothing: no port is held, no memory is measured (a Supervisor without one wired). */
export const BLIND_HOST: HostView = {
  findPortHolder: () => null,
  isListening: () => false,
  measureMemory: () => new Map(),
  memoryEnforcement: () => ({ usable: false, reason: "no host view is wired" }),
  killLeftover: () => false,
};
