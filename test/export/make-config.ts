import type { Config, ServiceConfig } from "../../src/contract/config";

/** The manifest's directory in every fixture; exported files must never mention it. */
export const FIXTURE_DIR = "/home/dev/fleet";

/** A service with the manifest's defaults (phase 0 protected, as resolve.ts makes it); `overrides` replaces whole fields. */
export function makeService(name: string, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name,
    command: ["bun", "run", "index.ts"],
    cwd: `${FIXTURE_DIR}/services/${name}`,
    env: {},
    phase: 1,
    phaseName: "core",
    dependsOn: [],
    optional: false,
    disabled: false,
    critical: false,
    health: {
      check: { kind: "http", endpoints: ["/health", "/api/health", "/status", "/ping"], host: "127.0.0.1" },
      intervalMs: 5000,
      timeoutMs: 5000,
      failureThreshold: 3,
    },
    restart: { policy: "on-failure", backoffMs: [1000, 5000, 15000, 30000, 60000, 60000, 60000], resetAfterMs: 300_000 },
    shutdown: { signal: "SIGTERM", timeoutMs: 10_000 },
    startupTimeoutMs: 60_000,
    source: { manifest: true },
    limits: {},
    protected: overrides.phase === 0,
    logs: { maxBytes: 10_000_000, keep: 5, format: "raw" },
    ...overrides,
  };
}

/** A config around the given services, with the manifest's defaults. */
export function makeConfig(services: ServiceConfig[], overrides: Partial<Config> = {}): Config {
  return {
    file: `${FIXTURE_DIR}/orchestrator.yaml`,
    dir: FIXTURE_DIR,
    name: "demo",
    api: { host: "127.0.0.1", port: 9000, cors: [] },
    stateDir: `${FIXTURE_DIR}/.orchestrator`,
    launch: { concurrency: 10, criticalConcurrency: 1, startupTimeoutMs: 60_000 },
    phases: ["critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional"],
    circuitBreaker: { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000 },
    services: [...services].sort((a, b) => (a.name < b.name ? -1 : 1)),
    ...overrides,
  };
}

const critical = { phase: 0, phaseName: "critical", critical: true } as const;

/** A small fleet that touches every mapping: each probe kind, each condition, one-shots, disabled and optional services. */
export function makeFleet(): Config {
  return makeConfig([
    makeService("db", { ...critical, command: ["postgres", "-D", "data"], port: 5432, health: { ...makeService("x").health, check: { kind: "tcp", port: 5432, host: "127.0.0.1" } }, shutdown: { signal: "SIGINT", timeoutMs: 30_000 } }),
    makeService("auth", {
      ...critical,
      port: 4001,
      env: { LOG_LEVEL: "info", GREETING: "yes", PRICE: "$5 or 100%", JWT_SECRET: "${SECRET}" },
      envFile: `${FIXTURE_DIR}/services/auth/.env`,
      dependsOn: [{ name: "db", condition: "healthy" }],
      health: { ...makeService("x").health, check: { kind: "http", path: "/healthz", endpoints: ["/health"], host: "127.0.0.1" } },
      restart: { ...makeService("x").restart, policy: "always" },
      command: "node server.js",
      source: { manifest: true, packageJson: `${FIXTURE_DIR}/services/auth/package.json`, packageManager: "npm", script: "node server.js" },
    }),
    makeService("migrate", { command: "bun run migrate.ts && echo \"done $USER\"", dependsOn: [{ name: "db", condition: "healthy" }], health: { ...makeService("x").health, check: null }, restart: { ...makeService("x").restart, policy: "never" } }),
    makeService("api", {
      port: 8080,
      dependsOn: [{ name: "auth", condition: "healthy" }, { name: "migrate", condition: "completed" }, { name: "analytics", condition: "started" }, { name: "legacy", condition: "healthy" }],
    }),
    makeService("worker", { command: ["python3", "worker.py"], health: { ...makeService("x").health, check: { kind: "exec", command: "test -f /tmp/worker.ok" } }, dependsOn: [{ name: "api", condition: "started" }] }),
    makeService("analytics", { phase: 6, phaseName: "optional", optional: true, port: 7000, health: { ...makeService("x").health, check: null } }),
    makeService("legacy", { disabled: true, port: 3000 }),
  ]);
}

const tcp = (port: number) => ({ ...makeService("x").health, check: { kind: "tcp" as const, port, host: "127.0.0.1" } });

/**
 * Real software as operators run it (SPEC §13): every new key, names and numeric ids, exact
 * binary and decimal sizes, `unlimited`, a stop command using $MAINPID, a forking daemon,
 * `protected` set against its default both ways, and log rotation of its own.
 */
export function makeOperatedFleet(): Config {
  return makeConfig(
    [
      makeService("db", {
        ...critical,
        command: ["postgres", "-D", "/var/lib/postgresql/data"],
        image: "postgres:15",
        port: 5432,
        health: tcp(5432),
        user: "postgres",
        account: { user: "postgres", uid: 101, group: "postgres", gid: 104, groups: [103], home: "/var/lib/postgresql" },
        umask: "0027",
        nice: 5,
        limits: { memoryBytes: 1024 ** 3, nofile: 65536, nproc: 4096, core: 0 },
        shutdown: { signal: "SIGINT", timeoutMs: 60_000, command: "pg_ctl -D /var/lib/postgresql/data stop -m fast" },
        logs: { maxBytes: 20_000_000, keep: 3, format: "json" },
      }),
      makeService("cache", {
        ...critical,
        command: ["redis-server", "--port", "6379", "--save", ""],
        image: "redis:7",
        port: 6379,
        health: tcp(6379),
        user: "999",
        group: "999",
        limits: { memoryBytes: 512 * 1024 ** 2, nofile: 10032, core: "unlimited" },
        protected: false,
      }),
      makeService("web", {
        command: ["nginx", "-c", "/etc/nginx/nginx.conf"],
        image: "nginx:1.25",
        port: 8080,
        user: "www-data",
        group: "www-data",
        pidFile: "/run/nginx.pid",
        limits: { nproc: "unlimited" },
        shutdown: { signal: "SIGQUIT", timeoutMs: 30_000, command: 'kill -QUIT "$MAINPID" && while kill -0 "$MAINPID" 2>/dev/null; do sleep 1; done' },
        protected: true,
      }),
      makeService("app", {
        port: 3000,
        dependsOn: [{ name: "db", condition: "healthy" }, { name: "cache", condition: "healthy" }, { name: "web", condition: "started" }],
        group: "ssl-cert",
        umask: "0077",
        nice: -5,
        limits: { memoryBytes: 1_500_000_000 },
        logs: { maxBytes: 64 * 1024 ** 2, keep: 0, format: "raw" },
      }),
    ],
    { name: "ops" },
  );
}
