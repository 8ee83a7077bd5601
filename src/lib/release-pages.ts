/**
 * Gives back the pages of the executable that starting up touched and running does not.
 *
 * The compiled binary is one 120 MB file: the Bun runtime, its JavaScriptCore engine and our
 * bundle. Starting up (the manifest loader, the YAML parser, the schemas, the first launch, the
 * JIT compilers warming up) maps about 50 MiB of it into the process, and those pages stay in
 * its resident set for as long as it runs, although the running supervisor touches less than
 * half of them. Once the fleet has launched we ask the kernel to reclaim them now rather than
 * under memory pressure: madvise(MADV_PAGEOUT) over the executable's read-only mappings.
 * They are clean file pages (exactly the file's bytes), so nothing is lost or written; what the
 * running supervisor uses (the event loop, probes, the API, respawns) faults back in on first
 * touch. MADV_DONTNEED would leave them in the page cache, but then every fault maps its
 * cached neighbours back too (fault-around) and the resident set regrew to 37 MiB instead of
 * about 25 (docs/BENCHMARKS.md, "Memory").
 *
 * Only mappings that are read-only and hold no anonymous (copied-on-write) page are advised,
 * so a mapping written before it was made read-only (relocations) is left alone.
 */
import { readFileSync, readlinkSync } from "node:fs";
import type { Clock, Timer } from "./clock";
import { adviseMemory, MADV_PAGEOUT } from "./libc";

export interface PageRelease {
  /** File-backed resident bytes before and after (RssFile of /proc/self/status). */
  residentBefore: number;
  residentAfter: number;
  /** Mappings advised. */
  mappings: number;
  /** Why nothing (or not everything) was released: no libc, no /proc, a kernel before 5.4 (EINVAL). */
  error?: string;
}

/** The executable's read-only mappings with no anonymous page, as [start, end), from /proc/self/smaps. */
export function releasableMappings(smaps: string, executable: string): [number, number][] {
  const ranges: [number, number][] = [];
  let current: { start: number; end: number; readOnly: boolean } | null = null;
  for (const line of smaps.split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const perms = header[3]!;
      current = header[4] === executable ? { start: parseInt(header[1]!, 16), end: parseInt(header[2]!, 16), readOnly: perms[1] === "-" } : null;
      continue;
    }
    const anonymous = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (anonymous && current) {
      if (current.readOnly && anonymous[1] === "0") ranges.push([current.start, current.end]);
      current = null;
    }
  }
  return ranges;
}

function residentFileBytes(): number {
  const match = /RssFile:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Never throws: a host where this cannot work says why in `error`. */
export function releaseExecutablePages(): PageRelease {
  let residentBefore = 0;
  try {
    residentBefore = residentFileBytes();
    const ranges = releasableMappings(readFileSync("/proc/self/smaps", "utf8"), readlinkSync("/proc/self/exe"));
    const errors = new Set<string>();
    for (const [start, end] of ranges) {
      const result = adviseMemory(start, end - start, MADV_PAGEOUT);
      if (result !== 0) errors.add(typeof result === "string" ? result : `madvise(MADV_PAGEOUT) failed with errno ${result}`);
    }
    return { residentBefore, residentAfter: residentFileBytes(), mappings: ranges.length, ...(errors.size ? { error: [...errors].join("; ") } : {}) };
  } catch (err) {
    return { residentBefore, residentAfter: residentBefore, mappings: 0, error: (err as Error).message };
  }
}

/**
 * Schedules releases on `clock`, each `delaysMs` after the call, and hands each result to
 * `report`. A release already scheduled for the same delay is pushed back, not doubled (reloads
 * in quick succession give one release, 2 s after the last).
 */
export function createPageReleaser(clock: Clock, release: () => PageRelease, report: (result: PageRelease) => void) {
  const timers = new Map<number, Timer>();
  return {
    schedule(delaysMs: readonly number[]): void {
      for (const delay of delaysMs) {
        timers.get(delay)?.cancel();
        timers.set(delay, clock.setTimeout(() => (timers.delete(delay), report(release())), delay));
      }
    },
    /** Drop every release still to come (the fleet is stopping). */
    cancel(): void {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    },
  };
}
