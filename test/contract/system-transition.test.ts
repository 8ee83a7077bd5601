import { describe, expect, test } from "bun:test";
import { SYSTEM_STATES, type SystemState } from "../../src/contract/states";
import { InvalidSystemTransitionError, SYSTEM_EVENTS, canTransitionSystem, transitionSystem } from "../../src/contract/system-transition";
import { walkTransitionTable } from "../helpers/walk-transition-table";

// The orchestrator's state machine written out independently of the table: every allowed
// move, one per line. Any (state, event) pair not listed here must throw.
const ALLOWED = `
starting launch   starting
starting all-well ready
starting trouble  degraded
starting shutdown stopping
ready    all-well ready
ready    trouble  degraded
ready    shutdown stopping
degraded all-well ready
degraded trouble  degraded
degraded shutdown stopping
stopping launch   stopping
stopping stopped  stopped
stopped  launch   stopped
`;

walkTransitionTable("system transition table", {
  states: SYSTEM_STATES,
  events: SYSTEM_EVENTS,
  allowed: ALLOWED,
  transition: transitionSystem,
  canTransition: canTransitionSystem,
  error: InvalidSystemTransitionError,
  code: "INVALID_SYSTEM_TRANSITION",
});

describe("system transition table: shape", () => {
  test("stopped is the only end: every other state can move on to another state", () => {
    for (const state of SYSTEM_STATES) {
      const elsewhere = SYSTEM_EVENTS.some((event) => canTransitionSystem(state, event) && transitionSystem(state, event) !== state);
      expect({ state, elsewhere }).toEqual({ state, elsewhere: state !== "stopped" });
    }
  });

  test("every state is reachable from starting", () => {
    const seen = new Set<SystemState>(["starting"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const state of [...seen]) {
        for (const event of SYSTEM_EVENTS) {
          if (!canTransitionSystem(state, event)) continue;
          const next = transitionSystem(state, event);
          if (!seen.has(next)) (seen.add(next), (grew = true));
        }
      }
    }
    expect([...seen].sort()).toEqual([...SYSTEM_STATES].sort());
  });
});
