/** Signals to a whole process group, where "already gone" is not an error. */

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
