/** An alert as each `format` POSTs it: json, slack ({text}), ntfy (text body, Title header). */
import type { AlertFormat } from "../contract/config";
import type { Alert } from "./alert";

export interface AlertRequest {
  body: string;
  headers: Record<string, string>;
}

export function formatAlert(alert: Alert, format: AlertFormat): AlertRequest {
  switch (format) {
    case "json":
      return { body: JSON.stringify(alert), headers: { "content-type": "application/json" } };
    case "slack":
      return { body: JSON.stringify({ text: `*${describeTitle(alert)}*\n${describeBody(alert)}` }), headers: { "content-type": "application/json" } };
    case "ntfy":
      return { body: describeBody(alert), headers: { "content-type": "text/plain; charset=utf-8", title: describeTitle(alert), tags: alert.kind, priority: alert.kind === "recovered" || alert.kind === "breaker-closed" ? "default" : "high" } };
  }
}

/** `shop: api quarantined` (`shop: incident, 3 services` for an incident). */
export function describeTitle(alert: Alert): string {
  if (alert.kind === "incident") return `${alert.fleet}: incident, ${alert.services?.length ?? 0} services`;
  return `${alert.fleet}: ${alert.service} ${alert.kind}`;
}

/** The reason, then the attempt and what was held back, one line each. */
export function describeBody(alert: Alert): string {
  const lines = [alert.reason];
  if (alert.attempt > 0) lines.push(`attempt ${alert.attempt}`);
  if (alert.suppressed) lines.push(`${alert.suppressed} more like it since the last alert (minInterval)`);
  lines.push(new Date(alert.ts).toISOString());
  return lines.join("\n");
}
