/**
 * The orchestrator's own state machine as one explicit table, like the services' in
 * src/supervisor/transition.ts. The supervisor's core changes the system state only through
 * `transitionSystem`; anything not in the table is a bug and throws.
 */
import { OrchestratorError } from "./errors";
import type { SystemState } from "./states";
import { lookUpTransition, type TransitionTable } from "./transition-table";

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
    const allowed = Object.keys(SYSTEM_TRANSITIONS[state]).join(", ") || "none";
    super(`cannot apply "${event}" to an orchestrator that is ${state} (allowed from ${state}: ${allowed})`);
  }
}

/** The next system state for `event` in `state`; throws InvalidSystemTransitionError when the table has no entry. */
export function transitionSystem(state: SystemState, event: SystemEvent): SystemState {
  return lookUpTransition(SYSTEM_TRANSITIONS, state, event, (s, e) => new InvalidSystemTransitionError(s, e));
}

/** Whether `event` is allowed in `state`, without throwing. */
export function canTransitionSystem(state: SystemState, event: SystemEvent): boolean {
  return SYSTEM_TRANSITIONS[state][event] !== undefined;
}
