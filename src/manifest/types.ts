/**
 * The effective configuration: what the manifest and discovery resolve to after defaults.
 * Every duration is in milliseconds and every path is absolute. Everything downstream
 * (graph, supervisor, api, export) reads only these types, never the raw YAML.
 */

export type DependencyCondition = "healthy" | "started" | "completed";
export type RestartPolicy = "always" | "on-failure" | "never";

export interface Dependency {
  name: string;
  condition: DependencyCondition;
}

export type HealthCheck =
  /** `path` set: probe only that path; otherwise try `endpoints` in order and remember the first that answers. */
  | { kind: "http"; path?: string; endpoints: string[]; port?: number; host: string }
  | { kind: "tcp"; port: number; host: string }
  | { kind: "exec"; command: string };

export interface HealthConfig {
  check: HealthCheck | null; // null: no probe, alive = healthy (ready after 1 s of running)
  intervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

export interface RestartConfig {
  policy: RestartPolicy;
  backoffMs: number[];
  resetAfterMs: number;
}

export interface ShutdownConfig {
  signal: NodeJS.Signals;
  timeoutMs: number;
}

export interface ServiceConfig {
  name: string;
  /** argv array (exec'd directly) or a string (run under `sh -c`). */
  command: string[] | string;
  cwd: string;
  env: Record<string, string>;
  envFile?: string;
  port?: number;
  phase: number;
  phaseName: string;
  dependsOn: Dependency[];
  optional: boolean;
  disabled: boolean;
  /** Phase 0 services are critical: failing to start aborts the launch. */
  critical: boolean;
  health: HealthConfig;
  restart: RestartConfig;
  shutdown: ShutdownConfig;
  startupTimeoutMs: number;
  /** Container image for `export`; optional. */
  image?: string;
  /** Where the service came from: a discovered package.json, the manifest, or both. */
  source: { packageJson?: string; manifest: boolean; packageManager?: PackageManager; script?: string };
}

export type PackageManager = "bun" | "npm" | "pnpm" | "yarn";

export interface CircuitBreakerConfig {
  failureThreshold: number;
  windowMs: number;
  cooldownMs: number;
}

export interface Config {
  /** Absolute path of the manifest file; its directory is the base for relative paths. */
  file: string;
  dir: string;
  name: string;
  api: { host: string; port: number; token?: string; cors: string[]; allowedHosts?: string[] };
  stateDir: string;
  /** criticalConcurrency 1 (the default) launches phase 0 serially. */
  launch: { concurrency: number; criticalConcurrency: number; startupTimeoutMs: number };
  phases: string[];
  circuitBreaker: CircuitBreakerConfig;
  /** Enabled and disabled services alike, in a stable order (by name). */
  services: ServiceConfig[];
}
