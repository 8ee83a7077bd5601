/**
 * `POST /orchestrator/reload` and SIGHUP: re-read the manifest (and discovery) the fleet was
 * started from and reconcile the running fleet with it. A manifest with errors is rejected
 * with its positioned issues and nothing changes. The manifest is parsed and validated in a
 * Worker (load-off-thread.ts), so a large one does not stall probes or the API meanwhile.
 */
import { hasErrors } from "../manifest/issues";
import { loadConfigOffThread } from "./load-off-thread";
import type { Fleet } from "./fleet";
import type { ReloadOutcome } from "../contract/actions";

export interface ReloadOptions {
  /** Environment for `${VAR}` interpolation in the manifest (normally the orchestrator's own). */
  env?: Record<string, string | undefined>;
  /** Told why, when the manifest had to be loaded on the main thread (the worker could not run). */
  onFallback?: (reason: string) => void;
}

interface Queue {
  running: Promise<ReloadOutcome> | null;
  next: Promise<ReloadOutcome> | null;
}

const queues = new WeakMap<Fleet, Queue>();

/**
 * Reload `fleet` from `fleet.config.file`. Reloads are serialized: a call made while one runs
 * waits for it and then reads the manifest again (so an edit made meanwhile is never missed);
 * calls made while one is already waiting share that waiting reload. Resolves with
 * `{ok: true, diff}` once removed and changed services are down and new ones are handed to
 * the launcher, or `{ok: false, issues}` (errors and warnings) when the manifest has errors.
 * Rejects with ShuttingDownError (409) when the fleet is shutting down.
 */
export function reloadFleet(fleet: Fleet, options: ReloadOptions = {}): Promise<ReloadOutcome> {
  let queue = queues.get(fleet);
  if (!queue) queues.set(fleet, (queue = { running: null, next: null }));
  const q = queue;
  if (q.next) return q.next;
  const run = (): Promise<ReloadOutcome> => {
    q.next = null;
    const current = runReload(fleet, options).finally(() => {
      if (q.running === current) q.running = null;
    });
    q.running = current;
    return current;
  };
  if (!q.running) return run();
  const waiting = q.running.then(run, run);
  q.next = waiting;
  return waiting;
}

async function runReload(fleet: Fleet, options: ReloadOptions): Promise<ReloadOutcome> {
  const { result: loaded, fallbackReason } = await loadConfigOffThread(fleet.config.file, { env: options.env ?? process.env });
  if (fallbackReason !== undefined) options.onFallback?.(fallbackReason);
  if (!loaded.config || hasErrors(loaded.issues)) return { ok: false, issues: loaded.issues };
  const diff = await fleet.supervisor.reconcile(loaded.config);
  return { ok: true, diff };
}
