/** Pure updates of the dashboard's model from stream events and API reads. */
import type { ServiceState, ServiceSummary, SystemStatus } from "../api/types";
import type { StoredEvent } from "../api/sequencer";
import { hasProcess } from "../../contract/state-classes";

/**
 * Whether the pid shown stays when a `service` event into `to` names none: only where a
 * process lives on. In backoff the old process is on its way out, so a missing pid means it is gone.
 */
function keepsPid(to: ServiceState): boolean {
  return hasProcess(to) && to !== "backoff";
}

export interface Model {
  status: SystemStatus | null;
  services: ServiceSummary[];
  /** The seq of the latest event seen per service (so a slower API read does not undo it). */
  touched: Record<string, number>;
}

export function applyEvent(model: Model, event: StoredEvent): Model {
  switch (event.type) {
    case "service": {
      const { name, to, pid, reason } = event.payload;
      return updateService(model, name, event.seq, (s) => ({
        ...s,
        state: to,
        pid: pid ?? (keepsPid(to) ? s.pid : null),
        lastReason: reason ?? s.lastReason,
        uptimeMs: to === "starting" ? 0 : s.uptimeMs,
      }));
    }
    case "health": {
      const { name, status, latencyMs, endpoint, error } = event.payload;
      return updateService(model, name, event.seq, (s) => ({
        ...s,
        health: { status, latencyMs, endpoint: endpoint ?? s.health.endpoint, checkedAt: event.ts, error: error ?? null },
      }));
    }
    case "healing":
      return { ...model, touched: { ...model.touched, [event.payload.service]: event.seq } };
    case "notice":
    case "incident":
      return model;
    case "status":
      return model.status ? { ...model, status: { ...model.status, state: event.payload.state, reasons: event.payload.reasons } } : model;
  }
}

function updateService(model: Model, name: string, seq: number, change: (s: ServiceSummary) => ServiceSummary): Model {
  const services = model.services.map((s) => (s.name === name ? change(s) : s));
  return { ...model, services, touched: { ...model.touched, [name]: seq } };
}

/**
 * Merge a fresh GET /services read into the model. Services that changed on the stream after
 * the read began (`sinceSeq`) keep their streamed state, pid and health.
 */
export function mergeServices(model: Model, fresh: ServiceSummary[], sinceSeq: number): Model {
  const current = new Map(model.services.map((s) => [s.name, s]));
  const services = fresh.map((s) => {
    const mine = current.get(s.name);
    if (!mine || (model.touched[s.name] ?? 0) <= sinceSeq) return s;
    return { ...s, state: mine.state, pid: mine.pid, health: mine.health, lastReason: mine.lastReason };
  });
  return { ...model, services };
}
