/**
 * `POST /orchestrator/reload` and SIGHUP: re-read the manifest (and discovery) the fleet was
 * started from and reconcile the running fleet with it. A manifest with errors is rejected
 * with its positioned issues and nothing changes. The manifest is parsed and validated in a
 * Worker (load-off-thread.ts), so a large one does not stall probes or the API meanwhile.
 */
import type { Issue } from "../contract/actions";
import { hasErrors } from "../manifest/issues";
import { loadConfigOffThread } from "./load-off-thread";
import type { Fleet } from "./fleet";
import type { ReloadOutcome } from "../contract/actions";

export interface ReloadOptions {
  /** Environment for `${VAR}` interpolation in the manifest (normally the orchestrator's own). */
  env?: Record<string, string | undefined>;
  /** Told why, when the manifest had to be loaded on the main thread (the worker could not run). */
  onFallback?: (reason: string) => void;
  /** Resolve only once every changed service is ready or rolled back, with `ready` and `rolledBack` in the diff (SPEC §15). */
  wait?: boolean;
}

/** Per fleet, the reload waiting for its turn, which later calls share. */
const waiting = new WeakMap<Fleet, Promise<ReloadOutcome>>();

/**
 * Reload `fleet` from `fleet.config.file`. Reloads take turns in the supervisor's reconcile
 * queue, and each reads the manifest only when its turn comes, so an edit made while one runs
 * is never missed; calls made while one is already waiting share that waiting reload. Resolves
 * with `{ok: true, diff}` once removed and changed services are down and new ones are handed to
 * the launcher, or `{ok: false, issues}` (errors and warnings) when the manifest has errors.
 * Rejects with ShuttingDownError (409) when the fleet is shutting down.
 */
export function reloadFleet(fleet: Fleet, options: ReloadOptions = {}): Promise<ReloadOutcome> {
  const queued = waiting.get(fleet);
  if (queued) return options.wait ? queued.then((outcome) => settle(fleet, outcome)) : queued;
  const mustWait = fleet.supervisor.reconcilePending;
  const leaveWaiting = () => {
    if (waiting.get(fleet) === outcome) waiting.delete(fleet);
  };
  const outcome = reloadInTurn(fleet, options, leaveWaiting).finally(leaveWaiting);
  if (mustWait) waiting.set(fleet, outcome);
  return options.wait ? outcome.then((result) => settle(fleet, result)) : outcome;
}

async function settle(fleet: Fleet, outcome: ReloadOutcome): Promise<ReloadOutcome> {
  if (!outcome.ok) return outcome;
  const { ready, rolledBack } = await fleet.supervisor.settled(outcome.diff);
  return { ok: true, diff: { ...outcome.diff, ready, rolledBack } };
}

async function reloadInTurn(fleet: Fleet, options: ReloadOptions, onTurn: () => void): Promise<ReloadOutcome> {
  let issues: Issue[] = [];
  const diff = await fleet.supervisor.reconcile(async () => {
    onTurn();
    const { result: loaded, fallbackReason } = await loadConfigOffThread(fleet.config.file, { env: options.env ?? process.env });
    if (fallbackReason !== undefined) options.onFallback?.(fallbackReason);
    if (loaded.config && !hasErrors(loaded.issues)) return loaded.config;
    issues = loaded.issues;
    return null;
  });
  if (!diff) return { ok: false, issues };
  fleet.proxies.sync(fleet.config);
  return { ok: true, diff };
}
