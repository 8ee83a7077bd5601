/** The manifest the storage tests run the binary with: fast probes and restarts, and a breaker that stays closed however often a test kills a service. */
export function quickManifest(name: string, options: { apiPort: number; stateDir: string; services: Record<string, unknown> }): Record<string, unknown> {
  return {
    version: 1,
    name,
    api: { host: "127.0.0.1", port: options.apiPort },
    discovery: { roots: [] },
    state: { dir: options.stateDir },
    circuitBreaker: { failureThreshold: 50, window: "60s", cooldown: "1s" },
    defaults: {
      health: { interval: "200ms", timeout: "1s", failureThreshold: 2 },
      restart: { backoff: ["0ms", "50ms", "50ms", "50ms", "50ms", "50ms", "50ms"] },
      shutdown: { timeout: "2s" },
    },
    services: options.services,
  };
}
