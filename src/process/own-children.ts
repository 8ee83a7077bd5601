/**
 * The children this process spawned through src/process (services, exec probes, the
 * watchdog) that Bun has not reaped yet. Any other child was adopted as a subreaper, or was
 * spawned by code outside src/process; the escape catcher confirms the latter case by Bun's
 * pidfds (proc-scan.ts) before it touches such a child, which costs a read per open fd, so
 * this list spares that read in the common case.
 */
const children = new Set<number>();

/** Remember `proc` until Bun has reaped it (its `exited` settles after the wait). */
export function trackChild<T extends { pid: number; exited: Promise<unknown> }>(proc: T): T {
  children.add(proc.pid);
  void proc.exited.finally(() => children.delete(proc.pid)).catch(() => {});
  return proc;
}

/**
 * Count `pid`, a daemon adopted as a subreaper and supervised (pidFile), as ours until the
 * returned function is called: the escape catcher then leaves it to its supervisor, which
 * reaps it itself for its exit status. Returns the untrack function.
 */
export function trackAdopted(pid: number): () => void {
  children.add(pid);
  return () => void children.delete(pid);
}

/** True for a child spawned through src/process and not yet reaped by Bun, or a supervised daemon (trackAdopted). */
export function isTrackedChild(pid: number): boolean {
  return children.has(pid);
}
