/** Building Exit records: the data a process leaves behind. */
import type { ChildHandle, Exit } from "./spawner";

/** An Exit for a process that ran and ended with `code` or by `signal`. */
export function toExit(code: number | null, signal: string | null): Exit {
  if (signal) return { code: null, signal, reason: "signaled" };
  return { code: code ?? 0, signal: null, reason: "exited" };
}

/** An Exit for a process that never ran. */
export function spawnErrorExit(error: string): Exit {
  return { code: null, signal: null, reason: "spawn-error", error };
}

/** The handle returned when a spawn fails: pid 0, already exited, stop/kill do nothing. */
export function createFailedChild(error: string): ChildHandle {
  const exited = Promise.resolve(spawnErrorExit(error));
  return { pid: 0, exited, stop: () => exited, kill: () => {} };
}
