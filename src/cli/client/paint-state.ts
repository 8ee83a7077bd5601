/** One colour per service and system state, so a glance at `status` says what needs looking at. */
import type { Style } from "../style";

const GOOD = new Set(["healthy", "ready", "completed"]);
const BAD = new Set(["unhealthy", "failed", "quarantined", "degraded"]);
const QUIET = new Set(["stopped", "stopping"]);

export function stateColor(style: Style, state: string): (s: string) => string {
  if (GOOD.has(state)) return style.green;
  if (BAD.has(state)) return style.red;
  if (QUIET.has(state)) return style.dim;
  return style.yellow; // pending, starting, backoff, blocked, the system starting
}
