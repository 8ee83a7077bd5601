import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { renderCompose } from "../../src/export";
import { FIXTURE_DIR, makeConfig, makeFleet, makeService } from "./make-config";
import { composeErrors } from "./validators";

const withDockerfileFor = (...names: string[]) => (path: string) => names.some((n) => path === `${FIXTURE_DIR}/services/${n}/Dockerfile`);

function exportFleet(config = makeFleet(), fileExists = withDockerfileFor("api")) {
  const [file] = renderCompose(config, { fileExists });
  return { file, doc: parse(file.content) as { services: Record<string, any> } };
}

describe("export compose", () => {
  test("the fleet's compose.yaml is valid against the Compose Specification schema", () => {
    const { file, doc } = exportFleet();
    expect(file.path).toBe("compose.yaml");
    expect(composeErrors(doc)).toEqual([]);
  });

  test("the schema check itself rejects a broken file", () => {
    expect(composeErrors({ services: { a: { restart: 3, stop_grace_period: "soon" } } }).length).toBeGreaterThan(0);
  });

  test("builds from a Dockerfile, prefers the manifest image, else picks an image by runtime", () => {
    const config = makeConfig([
      makeService("built"),
      makeService("pinned", { image: "registry.example/pinned:2" }),
      makeService("py", { command: ["python3", "app.py"] }),
      makeService("npm", { command: "node server.js", source: { manifest: false, packageManager: "npm", script: "node server.js" } }),
    ]);
    const { services } = exportFleet(config, withDockerfileFor("built", "pinned")).doc;
    expect(services.built.build).toEqual({ context: "services/built" });
    expect(services.built.image).toBeUndefined();
    expect(services.pinned.image).toBe("registry.example/pinned:2");
    expect(services.py).toMatchObject({ image: "python:3.12-slim", working_dir: "/app", volumes: ["./services/py:/app"] });
    expect(services.npm).toMatchObject({ image: "node:22", command: ["npm", "start"] });
  });

  test("maps dependency conditions, falling back to service_started when the dependency has no healthcheck", () => {
    const { doc, file } = exportFleet();
    expect(doc.services.auth.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(doc.services.api.depends_on).toEqual({
      analytics: { condition: "service_started" },
      auth: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
    });
    expect(file.content).toContain("# depends on legacy, which is not exported (disabled or unknown)");
  });

  test("a healthy condition on a service without a probe is downgraded out loud", () => {
    const config = makeConfig([
      makeService("a", { health: { ...makeService("x").health, check: null } }),
      makeService("b", { dependsOn: [{ name: "a", condition: "healthy" }] }),
    ]);
    const { doc, file } = exportFleet(config);
    expect(doc.services.b.depends_on).toEqual({ a: { condition: "service_started" } });
    expect(file.content).toContain("waits for a to be healthy, but it has no healthcheck: service_started instead");
  });

  test("healthchecks come from the probe, with the orchestrator's timings and a tool the image has", () => {
    const { services } = exportFleet().doc;
    expect(services.auth.image).toBe("node:22"); // has curl
    expect(services.auth.healthcheck).toEqual({
      test: ["CMD-SHELL", "curl -fsS -o /dev/null --max-time 5 http://localhost:4001/healthz"],
      interval: "5s",
      timeout: "5s",
      retries: 3,
      start_period: "1m",
    });
    expect(services.db.image).toBe("postgres:17"); // the official image of `postgres`, with its own ping
    expect(services.db.healthcheck.test[1]).toBe("pg_isready -q -h localhost -p 5432");
    expect(services.api.healthcheck.test[1]).toContain("curl -fsS"); // a Dockerfile build: its tools are unknown, the old chain is kept
    expect(services.api.healthcheck.test[1]).toContain("|| wget -q");
    expect(services.worker.healthcheck.test).toEqual(["CMD-SHELL", "test -f /tmp/worker.ok"]);
    expect(services.migrate.healthcheck).toBeUndefined();
  });

  test("restart, stop signal, grace period, ports, env and env_file", () => {
    const { services } = exportFleet().doc;
    expect(services.auth).toMatchObject({ restart: "always", stop_signal: "SIGTERM", stop_grace_period: "10s", ports: ["4001:4001"], env_file: ["services/auth/.env"] });
    expect(services.migrate.restart).toBe("no");
    expect(services.db).toMatchObject({ restart: "on-failure", stop_signal: "SIGINT", stop_grace_period: "30s" });
    expect(services.auth.environment).toEqual({ GREETING: "yes", JWT_SECRET: "$${SECRET}", LOG_LEVEL: "info", PORT: "4001", PRICE: "$$5 or 100%" });
    expect(services.migrate.command).toEqual(["sh", "-c", 'bun run migrate.ts && echo "done $$USER"']);
  });

  test("disabled services are left out and named; paths never mention the machine", () => {
    const { doc, file } = exportFleet();
    expect(Object.keys(doc.services)).toEqual(["db", "auth", "migrate", "analytics", "api", "worker"]);
    expect(file.content).toContain("disabled services, not exported: legacy");
    expect(file.content).not.toContain(FIXTURE_DIR);
  });

  test("the header names the manifest and what Compose cannot do", () => {
    const { file } = exportFleet();
    expect(file.content.startsWith("# Generated by `orchestrator export compose` from orchestrator.yaml")).toBe(true);
    for (const phrase of ["phases (0 critical", "quarantine", "circuit breaker (3 failures in 1m"]) expect(file.content).toContain(phrase);
    expect(file.content).toContain("# phase 0 (critical)\n  db:");
  });
});
