import { describe, expect, test } from "bun:test";
import { SERVICE_STATES } from "../../src/supervisor/states";
import { InvalidTransitionError, SERVICE_EVENTS, canTransition, transition } from "../../src/supervisor/transition";

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
backoff  stop                   stopped
backoff  degrade                degraded
backoff  give-up                failed
backoff  quarantine             quarantined
stopping stopped                stopped
stopped  manual-start           starting
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
quarantined stop                stopped
quarantined manual-start        starting
completed stop                  stopped
completed manual-start          starting
`;

const expected = new Map<string, string>();
for (const line of ALLOWED.trim().split("\n")) {
  const [state, event, next] = line.trim().split(/\s+/);
  expected.set(`${state} ${event}`, next!);
}

describe("transition table", () => {
  for (const state of SERVICE_STATES) {
    for (const event of SERVICE_EVENTS) {
      const next = expected.get(`${state} ${event}`);
      if (next) {
        test(`${state} --${event}--> ${next}`, () => {
          expect(transition(state, event)).toBe(next as (typeof SERVICE_STATES)[number]);
          expect(canTransition(state, event)).toBe(true);
        });
      } else {
        test(`${state} --${event}--> rejected`, () => {
          expect(canTransition(state, event)).toBe(false);
          let error: unknown;
          try {
            transition(state, event);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(InvalidTransitionError);
          expect((error as InvalidTransitionError).code).toBe("INVALID_TRANSITION");
          expect((error as InvalidTransitionError).message).toContain(`"${event}"`);
          expect((error as InvalidTransitionError).message).toContain(state);
        });
      }
    }
  }

  test("every listed move uses a known state and event", () => {
    for (const [key, next] of expected) {
      const [state, event] = key.split(" ");
      expect(SERVICE_STATES as readonly string[]).toContain(state!);
      expect(SERVICE_EVENTS as readonly string[]).toContain(event!);
      expect(SERVICE_STATES as readonly string[]).toContain(next);
    }
  });

  test("every state can be left or is reachable (no dead ends except by design)", () => {
    for (const state of SERVICE_STATES) {
      expect(SERVICE_EVENTS.some((event) => canTransition(state, event))).toBe(true);
    }
  });
});
