/** One line of text per event, for the feed. */
import type { StoredEvent } from "../api/sequencer";
import { STATE_TONE, SYSTEM_TONE, type Tone } from "./states";

export interface EventLine {
  subject: string;
  text: string;
  tone: Tone;
}

export function describeEvent(event: StoredEvent): EventLine {
  switch (event.type) {
    case "service": {
      const { name, from, to, pid, reason } = event.payload;
      const extra = [pid ? `pid ${pid}` : "", reason ?? ""].filter(Boolean).join(" · ");
      return { subject: name, text: `${from} → ${to}${extra ? ` · ${extra}` : ""}`, tone: STATE_TONE[to] };
    }
    case "health": {
      const { name, ok, latencyMs, endpoint, error } = event.payload;
      const where = endpoint ? ` ${endpoint}` : "";
      return { subject: name, text: ok ? `probe ok${where} in ${Math.round(latencyMs)} ms` : `probe failed${where}: ${error ?? "unknown"}`, tone: ok ? "ok" : "warn" };
    }
    case "healing": {
      const { service, action, attempt, tier, reason } = event.payload;
      const bad = action === "quarantined" || action === "gave-up" || action === "breaker-opened";
      const good = action === "recovered" || action === "breaker-closed";
      const step = attempt ? ` #${attempt}` : "";
      return { subject: service, text: `${action}${step}${tier ? ` (${tier})` : ""} · ${reason}`, tone: bad ? "bad" : good ? "ok" : "warn" };
    }
    case "status":
      return { subject: "system", text: `${event.payload.state}${event.payload.reasons.length ? ` · ${event.payload.reasons.join("; ")}` : ""}`, tone: SYSTEM_TONE[event.payload.state] };
    case "notice": {
      const { kind, level, message, service } = event.payload;
      return { subject: service ?? "orchestrator", text: `${kind} · ${message}`, tone: level === "error" ? "bad" : level === "warn" ? "warn" : "ok" };
    }
    case "incident": {
      const { id, action, services, first, upstream } = event.payload;
      const cause = upstream ? ` · common upstream: ${upstream}` : "";
      const verb = action === "opened" ? "opened" : "grew";
      return { subject: first.service, text: `incident #${id} ${verb} · ${services.length} services failed (${services.join(", ")}) · first: ${first.reason}${cause}`, tone: "bad" };
    }
  }
}
