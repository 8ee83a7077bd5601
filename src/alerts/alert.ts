/** What an alert says, and which events make one (SPEC §16). */
import type { AlertKind } from "../contract/config";
import type { OrchestratorEvent } from "../contract/events";

/** The `json` format's body, and what the other formats are written from. */
export interface Alert {
  kind: AlertKind;
  /** The service concerned (for an incident: its first failed service). */
  service: string;
  reason: string;
  attempt: number;
  ts: number;
  fleet: string;
  /** Alerts of this (kind, service) held back since the last one sent (minInterval, or folded into an incident). */
  suppressed?: number;
  /** incident: every service in it. */
  services?: string[];
  /** incident: the upstream they all depend on, when the graph shows one. */
  upstream?: string;
}

const HEALING_KINDS: Partial<Record<string, AlertKind>> = {
  quarantined: "quarantined",
  "breaker-opened": "breaker-opened",
  "breaker-closed": "breaker-closed",
  recovered: "recovered",
  "gave-up": "gave-up",
  "rolled-back": "rolled-back",
  detected: "failure",
};

/**
 * The kinds `event` may be alerted as, most specific first (a target takes the first it
 * wants): a memory failure is `memory`, a missed watchdog `watchdog`, else `failure`. Most events make none.
 */
export function alertKinds(event: OrchestratorEvent): AlertKind[] {
  if (event.type === "incident") return event.payload.action === "opened" ? ["incident"] : [];
  if (event.type !== "healing") return [];
  const h = event.payload;
  const kind = HEALING_KINDS[h.action];
  if (!kind) return [];
  return h.action === "detected" && (h.cause === "memory" || h.cause === "watchdog") ? [h.cause, kind] : [kind];
}

/** The alert for `event` as `kind`, for the fleet `fleet`. */
export function buildAlert(event: OrchestratorEvent, kind: AlertKind, fleet: string): Alert {
  if (event.type === "incident") {
    const { services, first, upstream, windowMs } = event.payload;
    const cause = upstream ? `; common upstream: ${upstream}` : "";
    const reason = `${services.length} services failed within ${Math.round(windowMs / 1000)}s (${services.join(", ")}); first ${first.service}: ${first.reason}${cause}`;
    return { kind, service: first.service, reason, attempt: 0, ts: event.ts, fleet, services: [...services], ...(upstream ? { upstream } : {}) };
  }
  if (event.type !== "healing") throw new TypeError(`expected a healing or incident event, got ${event.type}`);
  const h = event.payload;
  return { kind, service: h.service, reason: h.reason, attempt: h.attempt, ts: event.ts, fleet };
}
