import type { ServiceConfig } from "../contract/config";
import { formatDuration } from "./format-duration";
import { probePath, probePort } from "./service-facts";

/** A Compose `healthcheck`, or why the service's probe cannot become one. */
export type ComposeHealth = { healthcheck: Record<string, unknown> } | { healthcheck: undefined; reason?: string };

/** Compose interpolates `$` at load time; `$$` keeps it for the shell inside the container. */
export function escapeDollars(text: string): string {
  return text.replaceAll("$", "$$$$");
}

// The probe runs inside the container, so it talks to localhost; curl, then busybox wget,
// covers Debian-based and Alpine-based images.
function probeTest(service: ServiceConfig): string[] | string {
  const check = service.health.check!;
  if (check.kind === "exec") return ["CMD-SHELL", escapeDollars(check.command)];
  const port = probePort(service, check);
  if (port === undefined) return "the HTTP probe has no port (set `port` on the service)";
  if (check.kind === "tcp") return ["CMD-SHELL", `nc -z localhost ${port} || bash -c '</dev/tcp/localhost/${port}'`];
  const url = escapeDollars(`http://localhost:${port}${probePath(check)}`);
  return ["CMD-SHELL", `curl -fsS -o /dev/null ${url} || wget -q -O /dev/null ${url}`];
}

/** Maps the service's probe to a Compose healthcheck (retries = failureThreshold, start_period = startupTimeout). */
export function renderComposeHealth(service: ServiceConfig): ComposeHealth {
  if (service.health.check === null) return { healthcheck: undefined };
  const test = probeTest(service);
  if (typeof test === "string") return { healthcheck: undefined, reason: test };
  const h = service.health;
  return {
    healthcheck: {
      test,
      interval: formatDuration(h.intervalMs),
      timeout: formatDuration(h.timeoutMs),
      retries: h.failureThreshold,
      start_period: formatDuration(service.startupTimeoutMs),
    },
  };
}
