import type { ServiceConfig } from "../contract/config";
import { toSeconds } from "./format-duration";
import { probePath, probePort, triesSeveralEndpoints } from "./service-facts";

/** The startup, readiness and liveness probes of a container; empty when there is no probe. */
export interface KubernetesProbes {
  startupProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
}

function probeHandler(service: ServiceConfig, notes: string[]): Record<string, unknown> | undefined {
  const check = service.health.check;
  if (check === null) {
    notes.push("no health probe: Kubernetes counts it ready as soon as it runs (the orchestrator waits 1s)");
    return undefined;
  }
  if (check.kind === "exec") return { exec: { command: ["sh", "-c", check.command] } };
  const port = probePort(service, check);
  if (port === undefined) {
    notes.push("no probes: the HTTP probe has no port (set `port` on the service)");
    return undefined;
  }
  if (check.kind === "tcp") return { tcpSocket: { port } };
  if (triesSeveralEndpoints(check)) {
    notes.push(`the probe tries ${check.endpoints.join(", ")} in turn; these probes use ${probePath(check)}`);
  }
  return { httpGet: { path: probePath(check), port } };
}

/**
 * Maps the health config onto Kubernetes probes: the startup probe allows `startupTimeout`,
 * then readiness and liveness both use the probe's interval, timeout and failureThreshold.
 */
export function renderKubernetesProbes(service: ServiceConfig, notes: string[]): KubernetesProbes {
  const handler = probeHandler(service, notes);
  if (!handler) return {};
  const h = service.health;
  const timing = { periodSeconds: toSeconds(h.intervalMs), timeoutSeconds: toSeconds(h.timeoutMs) };
  const startupAttempts = Math.max(1, Math.ceil(service.startupTimeoutMs / Math.max(1, h.intervalMs)));
  return {
    startupProbe: { ...handler, ...timing, failureThreshold: startupAttempts },
    readinessProbe: { ...handler, ...timing, failureThreshold: h.failureThreshold },
    livenessProbe: { ...handler, ...timing, failureThreshold: h.failureThreshold },
  };
}
