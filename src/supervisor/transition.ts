/**
 * The service state machine (SPEC §9) as one explicit table. Every state change in the
 * supervisor goes through `transition`; anything not in the table is a bug and throws.
 */
import { OrchestratorError } from "../contract/errors";
import type { ServiceState } from "../contract/states";
import { defineStateMachine, describeImpossible, type TransitionTable } from "../contract/transition-table";

export const SERVICE_EVENTS = [
  "spawn",
  "ready",
  "probe-failed-threshold",
  "probe-passed",
  "exited",
  "schedule-restart",
  "stop",
  "stopped",
  "block",
  "unblock",
  "degrade",
  "undegrade",
  "give-up",
  "quarantine",
  "complete",
  "manual-start",
] as const;

export type ServiceEvent = (typeof SERVICE_EVENTS)[number];

/**
 * Rows are the current state, columns the event. Notes on the less obvious cells:
 * - `backoff` means "waiting to restart"; the old process may still be alive until the tier acts.
 * - `degraded` covers both a running dependent and one held back from launch; `undegrade`
 *   re-verifies a running one (→ starting), `unblock` releases a held one (→ pending).
 * - `stop` of something with no process goes straight to `stopped`.
 * - `block` also holds a start whose port someone else holds (the port guard, port-guard.ts):
 *   a restart waiting in `backoff`, or a manual start of a stopped, failed, quarantined or
 *   completed service; `unblock` lets it go once the port is free.
 */
export const TRANSITIONS: TransitionTable<ServiceState, ServiceEvent> = {
  pending: { spawn: "starting", block: "blocked", degrade: "degraded", stop: "stopped", "manual-start": "starting" },
  starting: {
    ready: "healthy",
    "schedule-restart": "backoff",
    stop: "stopping",
    degrade: "degraded",
    "give-up": "failed",
    quarantine: "quarantined",
    complete: "completed",
  },
  healthy: {
    "probe-failed-threshold": "unhealthy",
    "schedule-restart": "backoff",
    stop: "stopping",
    degrade: "degraded",
    "give-up": "failed",
    quarantine: "quarantined",
    complete: "completed",
  },
  unhealthy: {
    "probe-passed": "healthy",
    "schedule-restart": "backoff",
    stop: "stopping",
    degrade: "degraded",
    "give-up": "failed",
    quarantine: "quarantined",
    complete: "completed",
  },
  backoff: { spawn: "starting", block: "blocked", stop: "stopped", degrade: "degraded", "give-up": "failed", quarantine: "quarantined" },
  stopping: { stopped: "stopped" },
  stopped: { "manual-start": "starting", block: "blocked" },
  blocked: { unblock: "pending", degrade: "degraded", stop: "stopped", "manual-start": "starting" },
  degraded: {
    undegrade: "starting",
    unblock: "pending",
    "probe-failed-threshold": "degraded",
    exited: "degraded",
    complete: "completed",
    stop: "stopping",
  },
  failed: { stop: "stopped", "manual-start": "starting", block: "blocked" },
  quarantined: { stop: "stopped", "manual-start": "starting", block: "blocked" },
  completed: { stop: "stopped", "manual-start": "starting", block: "blocked" },
};

/** Thrown for a (state, event) pair the table does not contain: an impossible transition. */
export class InvalidTransitionError extends OrchestratorError {
  override readonly code = "INVALID_TRANSITION";
  override readonly status = 409;
  override readonly name = "InvalidTransitionError";
  constructor(
    readonly state: ServiceState,
    readonly event: ServiceEvent,
  ) {
    super(describeImpossible(TRANSITIONS, "a service", state, event));
  }
}

const machine = defineStateMachine(TRANSITIONS, (state, event) => new InvalidTransitionError(state, event));

/** The next state for `event` in `state`; throws InvalidTransitionError when the table has no entry. */
export const transition = machine.transition;

/** Whether `event` is allowed in `state`, without throwing. */
export const canTransition = machine.canTransition;
