import { expect, test } from "bun:test";
import { SERVICE_STATES } from "../../src/contract/states";
import { InvalidTransitionError, SERVICE_EVENTS, canTransition, transition } from "../../src/supervisor/transition";
import { walkTransitionTable } from "../helpers/walk-transition-table";

// The state machine written out independently of the table in transition.ts: every allowed
// move, one per line. Any (state, event) pair not listed here must throw.
const ALLOWED = `
pending  spawn                  starting
pending  block                  blocked
pending  degrade                degraded
pending  stop                   stopped
pending  manual-start           starting
starting ready                  healthy
starting schedule-restart       backoff
starting stop                   stopping
starting degrade                degraded
starting give-up                failed
starting quarantine             quarantined
starting complete               completed
healthy  probe-failed-threshold unhealthy
healthy  schedule-restart       backoff
healthy  stop                   stopping
healthy  degrade                degraded
healthy  give-up                failed
healthy  quarantine             quarantined
healthy  complete               completed
unhealthy probe-passed          healthy
unhealthy schedule-restart      backoff
unhealthy stop                  stopping
unhealthy degrade               degraded
unhealthy give-up               failed
unhealthy quarantine            quarantined
unhealthy complete              completed
backoff  spawn                  starting
backoff  block                  blocked
backoff  stop                   stopped
backoff  degrade                degraded
backoff  give-up                failed
backoff  quarantine             quarantined
stopping stopped                stopped
stopped  manual-start           starting
stopped  block                  blocked
blocked  unblock                pending
blocked  degrade                degraded
blocked  stop                   stopped
blocked  manual-start           starting
degraded undegrade              starting
degraded unblock                pending
degraded probe-failed-threshold degraded
degraded exited                 degraded
degraded complete               completed
degraded stop                   stopping
failed   stop                   stopped
failed   manual-start           starting
failed   block                  blocked
quarantined stop                stopped
quarantined manual-start        starting
quarantined block               blocked
completed stop                  stopped
completed manual-start          starting
completed block                 blocked
`;

walkTransitionTable("transition table", {
  states: SERVICE_STATES,
  events: SERVICE_EVENTS,
  allowed: ALLOWED,
  transition,
  canTransition,
  error: InvalidTransitionError,
  code: "INVALID_TRANSITION",
});

test("every state can be left or is reachable (no dead ends except by design)", () => {
  for (const state of SERVICE_STATES) {
    expect(SERVICE_EVENTS.some((event) => canTransition(state, event))).toBe(true);
  }
});
