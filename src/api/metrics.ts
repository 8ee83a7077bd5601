/**
 * GET /metrics: Prometheus text exposition format 0.0.4, rendered from the port's read
 * model. Base units (seconds, bytes, ratios), `_total` on counters, escaped label values.
 */
import { Elysia, t } from "elysia";
import type { OrchestratorPort } from "../app/port";
import { SYSTEM_STATES, SERVICE_STATES } from "../contract/states";
import type { OrchestratorStats } from "../contract/system-view";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type MetricType = "gauge" | "counter";
type Sample = [labels: Record<string, string>, value: number | null];

/** One metric family: HELP and TYPE, then its samples (a null value is left out). */
function family(name: string, type: MetricType, help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    if (value === null || !Number.isFinite(value)) continue;
    lines.push(`${name}${formatLabels(labels)} ${value}`);
  }
  return lines.join("\n");
}

function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

/** Backslash, double quote and line feed are the three characters the format escapes. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function renderMetrics(port: OrchestratorPort): string {
  const services = port.services();
  const stats = port.stats();
  const status = port.status();
  const alerts = (stats.alerts ?? []).map((a, i) => ({ labels: { endpoint: String(i), target: a.target, format: a.format }, a }));
  const perAlert = (value: (a: NonNullable<typeof stats.alerts>[number]) => number): Sample[] => alerts.map(({ labels, a }) => [labels, value(a)]);
  const per = (value: (s: (typeof services)[number]) => number | null): Sample[] => services.map((s) => [{ service: s.name }, value(s)]);
  const families = [
    family("orchestrator_info", "gauge", "Constant 1, labelled with the fleet name and version.", [[{ name: stats.name, version: stats.version }, 1]]),
    family("orchestrator_system_state", "gauge", "1 for the orchestrator's current state, 0 for the others.", SYSTEM_STATES.map((state): Sample => [{ state }, status.state === state ? 1 : 0])),
    family("orchestrator_service_up", "gauge", "1 when the service is running and its health check passes (state healthy), else 0.", per((s) => (s.state === "healthy" ? 1 : 0))),
    family("orchestrator_service_state", "gauge", "1 for the service's current state, 0 for every other state.", services.flatMap((s) => SERVICE_STATES.map((state): Sample => [{ service: s.name, state }, s.state === state ? 1 : 0]))),
    family("orchestrator_service_restarts_total", "counter", "Restarts of the service since the orchestrator started.", per((s) => s.restarts)),
    family("orchestrator_service_health_latency_seconds", "gauge", "Latency of the service's latest health probe.", per((s) => (s.health.latencyMs === null ? null : s.health.latencyMs / 1000))),
    family("orchestrator_service_memory_bytes", "gauge", "Resident set size of the service's main process.", per((s) => s.memoryBytes)),
    family("orchestrator_service_cpu_ratio", "gauge", "CPU used by the service's main process over the last sample interval, as a ratio of one core (may exceed 1).", per((s) => (s.cpuPercent === null ? null : s.cpuPercent / 100))),
    family("orchestrator_service_uptime_seconds", "gauge", "Time since the service's current process started (0 when not running).", per((s) => s.uptimeMs / 1000)),
    family("orchestrator_probes_total", "counter", "Health probes run since the orchestrator started.", [[{}, stats.probesRun]]),
    family("orchestrator_events_total", "counter", "Events stored (the last sequence number; it continues across orchestrator restarts).", [[{}, stats.events.lastSeq]]),
    family("orchestrator_stream_subscribers", "gauge", "Current event-stream subscribers.", [[{}, stats.events.subscribers]]),
    family("orchestrator_process_resident_memory_bytes", "gauge", "Resident set size of the orchestrator process.", [[{}, stats.memory.rssBytes]]),
    family("orchestrator_storage_ok", "gauge", "1 while writes under state.dir (event history, log files) succeed, 0 while they fail.", [[{}, stats.storage.ok ? 1 : 0]]),
    family("orchestrator_storage_dropped_events_total", "counter", "Events dropped because writes failed for longer than the in-memory bound holds.", [[{}, stats.storage.droppedEvents]]),
    family("orchestrator_storage_dropped_log_lines_total", "counter", "Service output lines that never reached their log file (the disk fell behind or failed).", [[{}, stats.storage.droppedLogLines]]),
    family("orchestrator_alerts_sent_total", "counter", "Alerts an `alerts:` endpoint accepted (2xx), by endpoint (its index; the target is scheme and host only).", perAlert((a) => a.sent)),
    family("orchestrator_alerts_failed_total", "counter", "Alerts given up on after every retry.", perAlert((a) => a.failed)),
    family("orchestrator_alerts_retries_total", "counter", "Retried alert deliveries.", perAlert((a) => a.retries)),
    family("orchestrator_alerts_suppressed_total", "counter", "Alerts held back by minInterval or folded into an incident's alert.", perAlert((a) => a.suppressed)),
    family("orchestrator_alerts_pending", "gauge", "Alerts being delivered or waiting for a retry.", perAlert((a) => a.pending)),
    family("orchestrator_proxy_connections_total", "counter", "Connections a built-in proxy forwarded, by group and instance.", perInstance(stats, (i) => i.connections)),
    family("orchestrator_proxy_active_connections", "gauge", "Connections open through a built-in proxy now, by group and instance.", perInstance(stats, (i) => i.active)),
    family("orchestrator_proxy_received_bytes_total", "counter", "Bytes from clients to an instance through its proxy.", perInstance(stats, (i) => i.bytesIn)),
    family("orchestrator_proxy_sent_bytes_total", "counter", "Bytes from an instance back to clients through its proxy.", perInstance(stats, (i) => i.bytesOut)),
    family("orchestrator_proxy_refused_total", "counter", "Connections a proxy closed at once because no instance was ready.", (stats.proxies ?? []).map((p) => [{ group: p.group }, p.refused] as Sample)),
    family("orchestrator_uptime_seconds", "gauge", "Time since the orchestrator started.", [[{}, stats.uptimeMs / 1000]]),
  ];
  return `${families.join("\n")}\n`;
}

type InstanceStats = NonNullable<OrchestratorStats["proxies"]>[number]["instances"][string];

function perInstance(stats: OrchestratorStats, value: (i: InstanceStats) => number): Sample[] {
  return (stats.proxies ?? []).flatMap((p) => Object.entries(p.instances).map(([instance, i]): Sample => [{ group: p.group, instance }, value(i)]));
}

export function metricsRoute(port: OrchestratorPort) {
  return new Elysia({ name: "orchestrator-metrics" }).get(
    "/metrics",
    ({ set }) => {
      set.headers["content-type"] = METRICS_CONTENT_TYPE;
      return renderMetrics(port);
    },
    {
      response: { 200: t.String({ examples: ['# HELP orchestrator_service_up 1 when the service is healthy\n# TYPE orchestrator_service_up gauge\norchestrator_service_up{service="api"} 1\n'] }) },
      detail: { tags: ["metrics"], security: [], summary: "Prometheus metrics", description: "Text exposition format 0.0.4: per-service state, restarts, probe latency, memory and CPU; the orchestrator's own memory, uptime, probes and events." },
    },
  );
}
