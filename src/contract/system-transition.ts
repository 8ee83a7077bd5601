/**
 * The orchestrator's own state machine as one explicit table, like the services' in
 * src/supervisor/transition.ts. The supervisor's core changes the system state only through
 * `transitionSystem`; anything not in the table is a bug and throws.
 */
import { OrchestratorError } from "./errors";
import type { SystemState } from "./states";
import { defineStateMachine, describeImpossible, type TransitionTable } from "./transition-table";

export const SYSTEM_EVENTS = [
  /** `start()`: the launch begins. */
  "launch",
  /** The verdict is "nothing wrong": every service settled fine and no fleet-wide condition is set. */
  "all-well",
  /** The verdict is "something is wrong": a service is not fine, or a fleet-wide condition is set. */
  "trouble",
  /** Shutdown requested, or the launch aborted. */
  "shutdown",
  /** Every service is down. */
  "stopped",
] as const;

export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

/**
 * Rows are the current state, columns the event. Self-loops are real moves: the reasons can
 * change while the state stays (a second problem while degraded). A launch asked for after
 * shutdown began changes nothing.
 */
export const SYSTEM_TRANSITIONS: TransitionTable<SystemState, SystemEvent> = {
  starting: { launch: "starting", "all-well": "ready", trouble: "degraded", shutdown: "stopping" },
  ready: { "all-well": "ready", trouble: "degraded", shutdown: "stopping" },
  degraded: { "all-well": "ready", trouble: "degraded", shutdown: "stopping" },
  stopping: { launch: "stopping", stopped: "stopped" },
  stopped: { launch: "stopped" },
};

/** Thrown for a (state, event) pair the table does not contain: an impossible transition. */
export class InvalidSystemTransitionError extends OrchestratorError {
  override readonly code = "INVALID_SYSTEM_TRANSITION";
  override readonly status = 500;
  override readonly name = "InvalidSystemTransitionError";
  constructor(
    readonly state: SystemState,
    readonly event: SystemEvent,
  ) {
    super(describeImpossible(SYSTEM_TRANSITIONS, "an orchestrator", state, event));
  }
}

const machine = defineStateMachine(SYSTEM_TRANSITIONS, (state, event) => new InvalidSystemTransitionError(state, event));

/** The next system state for `event` in `state`; throws InvalidSystemTransitionError when the table has no entry. */
export const transitionSystem = machine.transition;

/** Whether `event` is allowed in `state`, without throwing. */
export const canTransitionSystem = machine.canTransition;
