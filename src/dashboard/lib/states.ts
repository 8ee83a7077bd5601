/**
 * How each service and system state looks: a tone (colour family). The grouping comes from
 * the contract's state table (src/contract/state-classes.ts), the same one the CLI paints
 * with; the dashboard only refines it: in-progress states are blue (info), a completed
 * one-shot gets its own colour (done), idle is muted.
 */
import { SERVICE_STATE_CLASSES, SYSTEM_STATE_GROUP, type StateGroup } from "../../contract/state-classes";
import { SERVICE_STATES, SYSTEM_STATES } from "../../contract/states";
import type { ServiceState, SystemState } from "../api/types";

export type Tone = "ok" | "info" | "warn" | "bad" | "muted" | "done";

const GROUP_LOOK: Record<StateGroup, Tone> = { healthy: "ok", starting: "info", attention: "warn", failed: "bad", stopped: "muted" };

export const STATE_TONE = Object.fromEntries(
  SERVICE_STATES.map((state) => [state, state === "completed" ? "done" : GROUP_LOOK[SERVICE_STATE_CLASSES[state].group]]),
) as Record<ServiceState, Tone>;

export const SYSTEM_TONE = Object.fromEntries(SYSTEM_STATES.map((state) => [state, GROUP_LOOK[SYSTEM_STATE_GROUP[state]]])) as Record<SystemState, Tone>;

const FILTER_LABELS: Record<StateGroup, string> = { healthy: "Healthy", starting: "Starting", attention: "Attention", failed: "Failed", stopped: "Stopped" };

/** Filters offered above the grid: all, then one per group, each the states of that group. */
export const STATE_FILTERS: { id: string; label: string; states: ServiceState[] | null }[] = [
  { id: "all", label: "All", states: null },
  ...(Object.keys(FILTER_LABELS) as StateGroup[]).map((group) => ({
    id: group,
    label: FILTER_LABELS[group],
    states: SERVICE_STATES.filter((state) => SERVICE_STATE_CLASSES[state].group === group),
  })),
];
