/** The documented defaults (SPEC §4). One place; the resolver and the docs read them from here. */
export const DEFAULT_PHASES = ["critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional"];

export const DEFAULTS = {
  api: { host: "127.0.0.1", port: 9000 },
  discovery: { roots: ["services"] },
  state: { dir: ".orchestrator" },
  launch: { concurrency: 10, criticalConcurrency: 1, startupTimeout: "60s" },
  health: { endpoints: ["/health", "/api/health", "/status", "/ping"], interval: "5s", timeout: "5s", failureThreshold: 3 },
  restart: { policy: "on-failure", backoff: ["1s", "5s", "15s", "30s", "60s", "60s", "60s"], resetAfter: "5m" },
  shutdown: { signal: "SIGTERM", timeout: "10s" },
  logs: { maxSize: "10MB", keep: 5, format: "raw" },
  circuitBreaker: { failureThreshold: 3, window: "60s", cooldown: "30s" },
  alerts: { format: "json", minInterval: "5m" },
  healing: { incident: { window: "30s", services: 3 } },
} as const;
