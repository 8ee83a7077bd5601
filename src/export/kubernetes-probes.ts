import type { HealthCheck, ServiceConfig } from "../contract/config";
import { toSeconds } from "./format-duration";
import { missingTool } from "./container-probe";
import type { ImageChoice } from "./images";
import { describeReady, probePath, probePort, triesSeveralEndpoints } from "./service-facts";

/** The startup, readiness and liveness probes of a container; empty when there is no probe. */
export interface KubernetesProbes {
  startupProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
}

function probeHandler(service: ServiceConfig, check: HealthCheck | null, choice: ImageChoice, notes: string[]): Record<string, unknown> | undefined {
  if (check === null) {
    notes.push("no health probe: Kubernetes counts it ready as soon as it runs (the orchestrator waits 1s)");
    return undefined;
  }
  if (check.kind === "exec") {
    // SPEC §17: an exec probe runs in the container, so its tool must be in the image
    const missing = missingTool(check.command, choice);
    if (missing) notes.push(`the exec probe runs ${missing}, which ${choice.image ?? "the image"} does not have: set \`image\` to one that has it, or change the probe`);
    return { exec: { command: ["sh", "-c", check.command] } };
  }
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
 * With `ready` (SPEC §14): a readiness probe becomes the startup and readiness probes, and
 * `health` the liveness probe alone; a log line or notify readiness has no Kubernetes form
 * (it is noted), so readiness then comes from `health` as before.
 */
export function renderKubernetesProbes(service: ServiceConfig, choice: ImageChoice, notes: string[]): KubernetesProbes {
  const ready = service.ready;
  if (ready && ready.kind !== "probe") notes.push(`${describeReady(service)}: Kubernetes has no such readiness signal; readinessProbe comes from health`);
  if (ready?.kind !== "probe") return renderFromHealth(service, choice, notes);
  const probes: KubernetesProbes = {};
  const readyHandler = probeHandler(service, ready.check, choice, notes);
  if (readyHandler) {
    const timing = { periodSeconds: toSeconds(ready.intervalMs), timeoutSeconds: toSeconds(ready.timeoutMs) };
    probes.startupProbe = { ...readyHandler, ...timing, failureThreshold: startupAttempts(service, ready.intervalMs) };
    probes.readinessProbe = { ...readyHandler, ...timing, failureThreshold: 1 };
  }
  const h = service.health;
  const liveHandler = h.check === null ? undefined : probeHandler(service, h.check, choice, notes);
  if (liveHandler) probes.livenessProbe = { ...liveHandler, periodSeconds: toSeconds(h.intervalMs), timeoutSeconds: toSeconds(h.timeoutMs), failureThreshold: h.failureThreshold };
  return probes;
}

function renderFromHealth(service: ServiceConfig, choice: ImageChoice, notes: string[]): KubernetesProbes {
  const handler = probeHandler(service, service.health.check, choice, notes);
  if (!handler) return {};
  const h = service.health;
  const timing = { periodSeconds: toSeconds(h.intervalMs), timeoutSeconds: toSeconds(h.timeoutMs) };
  return {
    startupProbe: { ...handler, ...timing, failureThreshold: startupAttempts(service, h.intervalMs) },
    readinessProbe: { ...handler, ...timing, failureThreshold: h.failureThreshold },
    livenessProbe: { ...handler, ...timing, failureThreshold: h.failureThreshold },
  };
}

function startupAttempts(service: ServiceConfig, intervalMs: number): number {
  return Math.max(1, Math.ceil(service.startupTimeoutMs / Math.max(1, intervalMs)));
}
