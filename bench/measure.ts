/** Small measuring helpers shared by the bench scripts. */
import { readFileSync } from "node:fs";

/** A memory field of /proc/PID/status (`VmRSS`, `RssAnon`, `RssFile`, …) in MiB; 0 when the process is gone. */
export function procStatusMiB(pid: number | "self", field = "VmRSS"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The p-th percentile (0–100, nearest rank) of an ascending array; 0 for an empty one. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The median of unsorted values. */
export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Until `api`'s /orchestrator/status says ready (every 100 ms, at most 30 s); `who` names the caller in the error. */
export async function waitFleetReady(api: string, who: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const body = (await (await fetch(`${api}/orchestrator/status`)).json()) as { state: string };
      if (body.state === "ready") return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(100);
  }
  throw new Error(`${who}: the fleet did not become ready in 30 s`);
}

/** Removes `name VALUE` from `args` and returns VALUE, or `fallback` when it is not there. */
export function takeOption(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args.splice(i, 2)[1]! : fallback;
}
