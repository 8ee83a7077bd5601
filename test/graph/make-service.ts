import type { Config, Dependency, ServiceConfig } from "../../src/contract/config.ts";

export const PHASES = ["critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional"];

export interface ServiceOptions extends Partial<Omit<ServiceConfig, "dependsOn">> {
  /** A bare name means `{ name, condition: "healthy" }`. */
  dependsOn?: (string | Dependency)[];
}

/** A plausible resolved service: phase 1 (`core`) unless told otherwise. */
export function makeService(name: string, options: ServiceOptions = {}): ServiceConfig {
  const phase = options.phase ?? 1;
  const { dependsOn = [], ...rest } = options;
  return {
    name,
    command: ["bun", "run", "index.ts"],
    cwd: `/srv/services/${name}`,
    env: {},
    phase,
    phaseName: PHASES[phase] ?? `phase-${phase}`,
    optional: false,
    disabled: false,
    critical: phase === 0,
    health: {
      check: { kind: "http", endpoints: ["/health"], host: "127.0.0.1" },
      intervalMs: 5000,
      timeoutMs: 5000,
      failureThreshold: 3,
    },
    restart: { policy: "on-failure", backoffMs: [1000, 5000, 15000], resetAfterMs: 300_000 },
    shutdown: { signal: "SIGTERM", timeoutMs: 10_000 },
    startupTimeoutMs: 60_000,
    source: { manifest: true },
    limits: {},
    protected: phase === 0,
    logs: { maxBytes: 10_000_000, keep: 5, format: "raw" },
    ...rest,
    dependsOn: dependsOn.map((dependency) =>
      typeof dependency === "string" ? { name: dependency, condition: "healthy" } : dependency,
    ),
  };
}

/** A resolved config around `services`, with the default seven phases. */
export function makeConfig(services: ServiceConfig[], concurrency = 10): Config {
  return {
    file: "/srv/orchestrator.yaml",
    dir: "/srv",
    name: "test-fleet",
    api: { host: "127.0.0.1", port: 9000, cors: [] },
    stateDir: "/srv/.orchestrator",
    launch: { concurrency, criticalConcurrency: 1, startupTimeoutMs: 60_000 },
    phases: PHASES,
    circuitBreaker: { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000 },
    services: [...services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** `{ a: ["b"], b: [] }` → services in phase 1, each depending on the listed names. */
export function makeServices(dependencies: Record<string, string[]>, phase = 1): ServiceConfig[] {
  return Object.entries(dependencies).map(([name, dependsOn]) => makeService(name, { phase, dependsOn }));
}
