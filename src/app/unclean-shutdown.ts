/**
 * History across runs (SPEC §13): when the previous run did not stop cleanly (SIGKILL, a
 * crash, power loss: it left its record in the state-dir lock file, state-lock.ts), the
 * first event of this run says so, with that run's pid and the time of its last recorded
 * event. A `notice`, so the orchestrator's log and the dashboard feed show it too.
 */
import type { EventSink } from "../events/sink";
import type { EventStore } from "../events/store";
import type { PreviousRun } from "./state-lock-holder";

/** Call before anything else emits: the store's last event is then the previous run's. */
export function announceUncleanShutdown(previous: PreviousRun, store: EventStore, sink: EventSink): void {
  const lastEventTs = lastEventTime(store);
  const last = lastEventTs === undefined ? "none of its events is on record" : `its last recorded event was at ${new Date(lastEventTs).toISOString()}`;
  const message = `the previous run (pid ${previous.pid}) did not stop cleanly (killed, crashed, or the machine went down): ${last}`;
  sink.emit({ type: "notice", payload: { kind: "unclean-shutdown", level: "warn", message, pid: previous.pid, ...(lastEventTs === undefined ? {} : { lastEventTs }) } });
}

function lastEventTime(store: EventStore): number | undefined {
  const seq = store.lastSeq();
  if (seq === 0) return undefined;
  try {
    return store.since(seq - 1, 1)[0]?.ts;
  } catch {
    return undefined; // a history that cannot be read says nothing of the last run; the notice still goes out
  }
}
