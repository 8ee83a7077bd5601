import type { ServiceConfig } from "../contract/config";
import { formatDuration } from "./format-duration";
import { renderContainerProbe } from "./container-probe";
import type { ImageChoice } from "./images";

/** A Compose `healthcheck`, or why the service's probe cannot become one. */
export type ComposeHealth = { healthcheck: Record<string, unknown>; tool: string; note?: string } | { healthcheck: undefined; reason?: string };

/** Compose interpolates `$` at load time; `$$` keeps it for the shell inside the container. */
export function escapeDollars(text: string): string {
  return text.replaceAll("$", "$$$$");
}

/** Maps the service's probe to a Compose healthcheck (retries = failureThreshold, start_period = startupTimeout), with a tool its image has. */
export function renderComposeHealth(service: ServiceConfig, choice: ImageChoice): ComposeHealth {
  const h = service.health;
  if (h.check === null) return { healthcheck: undefined };
  const probe = renderContainerProbe(service, h.check, choice, h.timeoutMs);
  if ("reason" in probe) return { healthcheck: undefined, reason: probe.reason };
  return {
    tool: probe.tool,
    note: probe.note,
    healthcheck: {
      test: ["CMD-SHELL", escapeDollars(probe.command)],
      interval: formatDuration(h.intervalMs),
      timeout: formatDuration(h.timeoutMs),
      retries: h.failureThreshold,
      start_period: formatDuration(service.startupTimeoutMs),
    },
  };
}
