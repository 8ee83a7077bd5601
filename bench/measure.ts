/** Small measuring helpers shared by the bench scripts. */
import { readFileSync } from "node:fs";
import type { ChildHandle, SpawnSpec, Spawner } from "../src/process/spawner";

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

/**
 * `count` spawns through `spawner` in one synchronous loop, as the launcher makes them, after one
 * warm-up spawn (it starts the watchdog) and 100 ms: the children, the loop's ms, and the ms
 * until the microtasks the loop left have run too.
 */
export async function timeSpawnLoop(spawner: Spawner, count: number, specOf: (i: number) => SpawnSpec): Promise<{ children: ChildHandle[]; loopMs: number; settledMs: number }> {
  spawner.spawn({ name: "warm", command: ["true"], cwd: "/tmp", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } }, () => {});
  await Bun.sleep(100);
  const t0 = performance.now();
  const children = Array.from({ length: count }, (_, i) => spawner.spawn(specOf(i), () => {}));
  const loopMs = performance.now() - t0;
  await Bun.sleep(0);
  return { children, loopMs, settledMs: performance.now() - t0 };
}
