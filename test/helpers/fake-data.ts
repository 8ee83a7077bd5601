/** Canned read-model data for the FakePort and the tests that set it: plain values of the port's types. */
import type { ReloadOutcome, ServiceConfig, ServiceSummary } from "./contract";

/** A healthy, running service summary; `over` changes any field. */
export function summary(name: string, over: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    name,
    state: "healthy",
    phase: 0,
    phaseName: "critical",
    critical: false,
    optional: false,
    pid: 4242,
    port: 4000,
    restarts: 0,
    attempt: 0,
    uptimeMs: 125_000,
    health: { status: "healthy", latencyMs: 3, endpoint: "/health", checkedAt: 1, error: null },
    readiness: { source: "health", ready: true, signal: "health probe passed", readyAt: 1, status: null, mainPid: null, stopping: false, watchdogMs: null, lastPingAt: null, lastCheck: null },
    memoryBytes: 12.3 * 1024 * 1024,
    cpuPercent: 1.5,
    dependsOn: [],
    breaker: { state: "closed", failures: 0 },
    lastReason: null,
    ...over,
  };
}

/** The effective config a service with this summary would have. */
export function serviceConfig(s: ServiceSummary): ServiceConfig {
  return {
    name: s.name,
    command: ["bun", "server.ts"],
    cwd: `/srv/${s.name}`,
    env: { PORT: String(s.port ?? 0) },
    ...(s.port === null ? {} : { port: s.port }),
    phase: s.phase,
    phaseName: s.phaseName,
    dependsOn: s.dependsOn,
    optional: s.optional,
    disabled: false,
    critical: s.critical,
    health: { check: { kind: "http", endpoints: ["/health"], host: "127.0.0.1" }, intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3 },
    restart: { policy: "on-failure", backoffMs: [1000, 2000], resetAfterMs: 300_000 },
    shutdown: { signal: "SIGTERM", timeoutMs: 10_000 },
    startupTimeoutMs: 30_000,
    source: { manifest: true },
    limits: {},
    protected: s.phase === 0,
    logs: { maxBytes: 10_000_000, keep: 5, format: "raw" },
  };
}

/** A reload the manifest rejects, with one positioned issue. */
export const REJECTED_RELOAD: ReloadOutcome = {
  ok: false,
  issues: [{ file: "orchestrator.yaml", line: 3, col: 5, path: "services.api.port", message: 'expected an integer from 1 to 65535, got "eighty"', severity: "error" }],
};
