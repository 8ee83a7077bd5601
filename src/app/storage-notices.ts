/**
 * What the fleet says when its storage fails, recovers, or its history file had to be
 * replaced: a `notice` event (which the orchestrator's log and the dashboard feed show) and a
 * fleet-wide condition in /orchestrator/status `reasons`. The supervisor knows nothing of storage.
 */
import type { OpenedStore } from "../events/open-store";
import type { EventSink } from "../events/sink";
import type { Clock, Timer } from "../lib/clock";
import type { StorageChange } from "../lib/storage-health";

export type SetCondition = (key: string, reason: string | null) => void;

/** How long /status lists a replaced history file: long enough for a monitor polling every few minutes to see it. */
export const STORE_REPLACED_CONDITION_MS = 10 * 60_000;

export function announceStorageChange(change: StorageChange, sink: EventSink, setCondition: SetCondition): void {
  if (change.kind === "failed") {
    const reason = `storage failing: ${change.error}`;
    sink.emit({
      type: "notice",
      payload: { kind: "storage-failed", level: "error", path: change.source, message: `${reason}; supervision goes on, writes are held in memory (bounded) and retried` },
    });
    setCondition("storage", reason);
    return;
  }
  const { droppedEvents, droppedLogLines } = change.status;
  sink.emit({
    type: "notice",
    payload: { kind: "storage-recovered", level: "info", path: change.source, message: `storage recovered: writes succeed again (dropped so far: ${droppedEvents} events, ${droppedLogLines} log lines)` },
  });
  setCondition("storage", null);
}

/** Say that the history file was replaced; the condition clears itself after STORE_REPLACED_CONDITION_MS. Returns its timer. */
export function announceReplacedStore(replaced: NonNullable<OpenedStore["replaced"]>, sink: EventSink, setCondition: SetCondition, clock: Clock): Timer {
  const reason = `history file ${replaced.path} could not be read (${replaced.cause}); moved it to ${replaced.movedTo} and started a fresh one`;
  sink.emit({ type: "notice", payload: { kind: "store-replaced", level: "warn", path: replaced.movedTo, message: reason } });
  setCondition("store-replaced", reason);
  return clock.setTimeout(() => setCondition("store-replaced", null), STORE_REPLACED_CONDITION_MS);
}

/** Say how the history was opened on a full disk; the condition lasts the run (a restart with room opens it normally). */
export function announceDegradedStore(path: string, degraded: NonNullable<OpenedStore["degraded"]>, sink: EventSink, setCondition: SetCondition): void {
  const reason =
    degraded.mode === "exclusive"
      ? `history file ${path} opened without its shared-memory file (${degraded.cause}): other programs cannot read it until the orchestrator restarts`
      : `history kept in memory only: cannot create ${path} (${degraded.cause}); restart the orchestrator once there is room, to keep it on disk`;
  sink.emit({ type: "notice", payload: { kind: "storage-failed", level: degraded.mode === "memory" ? "error" : "warn", path, message: reason } });
  setCondition("store-opened", reason);
}
