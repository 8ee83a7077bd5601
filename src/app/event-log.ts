/** Turns bus events into the orchestrator's own log lines (SYSTEM READY, state changes, healing). */
import type { EventBus } from "../events/bus";
import type { OrchestratorEvent } from "../contract/events";
import { hasGivenUp } from "../contract/state-classes";
import type { Logger } from "../lib/logger";

export function logEvents(bus: EventBus, logger: Logger): () => void {
  return bus.subscribe((message) => {
    if (message.type === "snapshot" || message.type === "log") return;
    logEvent(logger, message);
  });
}

function logEvent(logger: Logger, event: OrchestratorEvent): void {
  switch (event.type) {
    case "status": {
      const { state, reasons } = event.payload;
      if (state === "ready") logger.info({ event: "status", state }, "SYSTEM READY");
      else if (state === "degraded") logger.warn({ event: "status", state, reasons }, `SYSTEM DEGRADED: ${reasons.join("; ")}`);
      else logger.info({ event: "status", state }, `system ${state}`);
      return;
    }
    case "service": {
      const { name, from, to, pid, reason } = event.payload;
      const level = hasGivenUp(to) || to === "unhealthy" ? "warn" : "info";
      logger[level]({ event: "service", service: name, from, to, pid }, `${name}: ${from} -> ${to}${reason ? ` (${reason})` : ""}`);
      return;
    }
    case "healing": {
      const h = event.payload;
      const level = h.action === "quarantined" || h.action === "breaker-opened" || h.action === "gave-up" ? "error" : "warn";
      logger[level]({ event: "healing", service: h.service, action: h.action, attempt: h.attempt, tier: h.tier, delayMs: h.delayMs }, `${h.service}: ${h.action} (${h.reason})`);
      return;
    }
    case "notice": {
      const { kind, level, message, path, pid, service } = event.payload;
      logger[level]({ event: "notice", kind, path, pid, service }, message);
      return;
    }
    case "incident": {
      const { id, action, services, first, upstream } = event.payload;
      const cause = upstream ? `; common upstream: ${upstream}` : "";
      logger.error({ event: "incident", id, action, services, upstream }, `incident #${id} ${action}: ${services.length} services failed (${services.join(", ")}); first ${first.service}: ${first.reason}${cause}`);
      return;
    }
    case "health": {
      const { name, status, endpoint, error, latencyMs } = event.payload;
      // State changes already say healthy/unhealthy; probe detail (refusals while starting) is debug.
      logger.debug({ event: "health", service: name, status, endpoint, latencyMs }, `${name}: probe ${status}${error ? ` (${error})` : ""}`);
      return;
    }
  }
}
