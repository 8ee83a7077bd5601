/**
 * One colour per service and system state, so a glance at `status` says what needs looking
 * at. The tone comes from the contract's state table, the same one the dashboard paints with.
 */
import { serviceTone, systemTone, type Tone } from "../../contract/state-classes";
import { SERVICE_STATES, SYSTEM_STATES, type ServiceState, type SystemState } from "../../contract/states";
import type { Style } from "../style";

const isServiceState = (state: string): state is ServiceState => (SERVICE_STATES as readonly string[]).includes(state);
const isSystemState = (state: string): state is SystemState => (SYSTEM_STATES as readonly string[]).includes(state);

/** `state` is a service or a system state (they agree where they share a name); anything else is painted as in progress. */
export function stateColor(style: Style, state: string): (s: string) => string {
  const tone: Tone = isServiceState(state) ? serviceTone(state) : isSystemState(state) ? systemTone(state) : "warn";
  return paintTone(style, tone);
}

export function paintTone(style: Style, tone: Tone): (s: string) => string {
  return { ok: style.green, warn: style.yellow, bad: style.red, idle: style.dim }[tone];
}
