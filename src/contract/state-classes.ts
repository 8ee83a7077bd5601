/**
 * What each state means to the code that reads it, written once as a table: one row per
 * state, one column per class (test/contract/state-classes.test.ts walks it). The classes
 * differ on purpose; each is named for the question it answers. No TypeBox here: the
 * dashboard imports this module.
 */
import type { DependencyCondition, ServiceState, SystemState } from "./states";

/**
 * How an operator sorts states at a glance: the dashboard's filters, and the tone both the
 * CLI and the dashboard paint a state with (see GROUP_TONE).
 */
export type StateGroup = "healthy" | "starting" | "attention" | "failed" | "stopped";

/** A colour family: the CLI paints ok green, warn yellow, bad red, idle dim. */
export type Tone = "ok" | "warn" | "bad" | "idle";

export const GROUP_TONE: Readonly<Record<StateGroup, Tone>> = {
  healthy: "ok",
  starting: "warn",
  attention: "warn",
  failed: "bad",
  stopped: "idle",
};

export interface ServiceStateClasses {
  group: StateGroup;
  /** The dependency conditions a dependency in this state meets (`dependsOn: { db: started }`). */
  meets: readonly DependencyCondition[];
  /** Its process is meant to be up and is supervised: an exit or a failing probe goes to the healer; the dependencies tier restarts it. */
  isRunning: boolean;
  /** A process of it may be alive (in backoff the old one may linger until the tier acts): its uptime counts. */
  hasProcess: boolean;
  /** Nothing is wrong with it: it does not keep the fleet from `ready` nor make the health report worse. */
  isSettled: boolean;
  /** It will not meet a dependent's condition without healing or an operator: the dependent is blocked, a launch waiting on it settles as a failure. */
  isDown: boolean;
  /** The healer has given up on it: only an operator brings it back. */
  hasGivenUp: boolean;
  /** Not launched yet: the launcher starts it once its dependencies allow. */
  awaitsLaunch: boolean;
  /** On its way to settling (launching or waiting to restart): the dependencies tier waits for it. */
  isInFlight: boolean;
}

type Flag = Exclude<keyof ServiceStateClasses, "group" | "meets">;

// A record, so a flag added to ServiceStateClasses and forgotten here fails the type check.
const FLAG_NAMES: Record<Flag, true> = { isRunning: true, hasProcess: true, isSettled: true, isDown: true, hasGivenUp: true, awaitsLaunch: true, isInFlight: true };
const FLAGS = Object.keys(FLAG_NAMES) as Flag[];

/** A row: its group, the conditions it meets, and the flags that hold (every other flag is false). */
function row(group: StateGroup, meets: readonly DependencyCondition[], holds: readonly Flag[]): ServiceStateClasses {
  const flags = Object.fromEntries(FLAGS.map((flag) => [flag, holds.includes(flag)])) as Record<Flag, boolean>;
  return { group, meets, ...flags };
}

export const SERVICE_STATE_CLASSES: Readonly<Record<ServiceState, ServiceStateClasses>> = {
  pending: row("starting", [], ["awaitsLaunch", "isInFlight"]),
  starting: row("starting", ["started"], ["isRunning", "hasProcess", "isInFlight"]),
  healthy: row("healthy", ["healthy", "started"], ["isRunning", "hasProcess", "isSettled"]),
  unhealthy: row("attention", ["started"], ["isRunning", "hasProcess"]),
  backoff: row("attention", [], ["hasProcess", "isDown", "isInFlight"]),
  stopping: row("stopped", [], ["hasProcess", "isDown"]),
  stopped: row("stopped", [], ["isSettled", "isDown"]),
  blocked: row("attention", [], ["isDown", "awaitsLaunch"]),
  degraded: row("attention", [], ["hasProcess", "isDown"]),
  failed: row("failed", [], ["isDown", "hasGivenUp"]),
  quarantined: row("failed", [], ["isDown", "hasGivenUp"]),
  completed: row("healthy", ["healthy", "started", "completed"], ["isSettled"]),
};

/** The group of each system state: how the CLI and the dashboard paint it. */
export const SYSTEM_STATE_GROUP: Readonly<Record<SystemState, StateGroup>> = {
  starting: "starting",
  ready: "healthy",
  degraded: "attention",
  stopping: "stopped",
  stopped: "stopped",
};

export const isRunning = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].isRunning;
export const hasProcess = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].hasProcess;
export const isSettled = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].isSettled;
export const isDown = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].isDown;
export const hasGivenUp = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].hasGivenUp;
export const awaitsLaunch = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].awaitsLaunch;
export const isInFlight = (state: ServiceState): boolean => SERVICE_STATE_CLASSES[state].isInFlight;

/** Whether a dependency in `state` meets `condition`. */
export function meetsCondition(state: ServiceState, condition: DependencyCondition): boolean {
  return SERVICE_STATE_CLASSES[state].meets.includes(condition);
}

/** Ready: up and doing its job (healthy, or a one-shot that completed), what `healthy` dependents wait for and a launch counts. */
export function isReady(state: ServiceState): boolean {
  return meetsCondition(state, "healthy");
}

export function serviceTone(state: ServiceState): Tone {
  return GROUP_TONE[SERVICE_STATE_CLASSES[state].group];
}

export function systemTone(state: SystemState): Tone {
  return GROUP_TONE[SYSTEM_STATE_GROUP[state]];
}
