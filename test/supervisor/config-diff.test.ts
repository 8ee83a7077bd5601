import { describe, expect, test } from "bun:test";
import type { Config } from "../../src/contract/config";
import { diffConfigs, mergeLiveConfig, needsRestart } from "../../src/supervisor/config-diff";
import { makeConfig, makeService, type ServiceOptions } from "../graph/make-service";

const base = () => [makeService("api", { env: { LOG_LEVEL: "info" }, port: 4001 }), makeService("db"), makeService("web", { dependsOn: ["api"] })];

/** The base fleet with `api` replaced by one built with `options` (on top of its own). */
function withApi(options: ServiceOptions): Config {
  return makeConfig([makeService("api", { env: { LOG_LEVEL: "info" }, port: 4001, ...options }), makeService("db"), makeService("web", { dependsOn: ["api"] })]);
}

describe("diffConfigs", () => {
  test("equal configs built separately are unchanged throughout", () => {
    expect(diffConfigs(makeConfig(base()), makeConfig(base()))).toEqual({ added: [], removed: [], changed: [], updated: [], unchanged: ["api", "db", "web"], ignored: [] });
  });

  test("added and removed services, by name", () => {
    const next = makeConfig([makeService("api", { env: { LOG_LEVEL: "info" }, port: 4001 }), makeService("cache"), makeService("web", { dependsOn: ["api"] })]);
    const diff = diffConfigs(makeConfig(base()), next);
    expect(diff.added).toEqual(["cache"]);
    expect(diff.removed).toEqual(["db"]);
    expect(diff.unchanged).toEqual(["api", "web"]);
  });

  test("disabling counts as removed, re-enabling as added; disabled in both is not listed", () => {
    const disabled = makeConfig([...base().filter((s) => s.name !== "db"), makeService("db", { disabled: true }), makeService("old", { disabled: true })]);
    expect(diffConfigs(makeConfig(base()), disabled)).toMatchObject({ added: [], removed: ["db"], unchanged: ["api", "web"] });
    expect(diffConfigs(disabled, makeConfig(base()))).toMatchObject({ added: ["db"], removed: [], unchanged: ["api", "web"] });
  });

  test("command, an env key and the health check are restart fields, named in a fixed order", () => {
    const next = withApi({
      command: ["bun", "run", "server.ts"],
      env: { LOG_LEVEL: "debug" },
      health: { check: { kind: "tcp", port: 4001, host: "127.0.0.1" }, intervalMs: 5000, timeoutMs: 5000, failureThreshold: 3 },
    });
    const diff = diffConfigs(makeConfig(base()), next);
    expect(diff.changed).toEqual([{ name: "api", fields: ["command", "env.LOG_LEVEL", "health"] }]);
    expect(diff.updated).toEqual([]);
    expect(diff.unchanged).toEqual(["db", "web"]);
  });

  test("an env key added or removed is named; cwd, envFile and port restart too", () => {
    const next = withApi({ env: { TRACE: "1" }, cwd: "/srv/elsewhere", envFile: "/srv/.env", port: 4002 });
    expect(diffConfigs(makeConfig(base()), next).changed).toEqual([{ name: "api", fields: ["cwd", "env.LOG_LEVEL", "env.TRACE", "envFile", "port"] }]);
  });

  test("policy, backoff, dependsOn, shutdown, timings and phase apply in place", () => {
    const next = withApi({
      restart: { policy: "always", backoffMs: [0], resetAfterMs: 300_000 },
      dependsOn: ["db"],
      shutdown: { signal: "SIGINT", timeoutMs: 10_000 },
      startupTimeoutMs: 5_000,
      phase: 2,
      optional: true,
      health: { check: { kind: "http", endpoints: ["/health"], host: "127.0.0.1" }, intervalMs: 1000, timeoutMs: 500, failureThreshold: 5 },
    });
    const diff = diffConfigs(makeConfig(base()), next);
    expect(diff.changed).toEqual([]);
    expect(diff.updated).toEqual([
      {
        name: "api",
        fields: [
          "phase", "dependsOn", "optional", "health.intervalMs", "health.timeoutMs", "health.failureThreshold",
          "restart.policy", "restart.backoffMs", "shutdown.signal", "startupTimeoutMs",
        ],
      },
    ]);
  });

  test("what the process starts with restarts it (account, umask, nice, rlimits); a new shutdown command applies in place", () => {
    const account = { user: "postgres", uid: 101, group: "postgres", gid: 104, groups: [104], home: "/var/lib/postgresql" };
    const next = withApi({ user: "postgres", account, umask: "0027", nice: 5, limits: { nofile: 1024, nproc: 10, core: 0 } });
    expect(diffConfigs(makeConfig(base()), next).changed).toEqual([{ name: "api", fields: ["account", "umask", "nice", "limits.nofile", "limits.nproc", "limits.core"] }]);
    const regrouped = withApi({ user: "postgres", account: { ...account, gid: 103, groups: [103] } });
    expect(diffConfigs(withApi({ user: "postgres", account }), regrouped).changed).toEqual([{ name: "api", fields: ["account"] }]);
    const stopped = withApi({ shutdown: { signal: "SIGTERM", timeoutMs: 10_000, command: "pg_ctl stop" } });
    expect(diffConfigs(makeConfig(base()), stopped).updated).toEqual([{ name: "api", fields: ["shutdown.command"] }]);
  });

  test("a restart field among in-place ones makes the service changed, listing all of them", () => {
    const diff = diffConfigs(makeConfig(base()), withApi({ port: 4002, shutdown: { signal: "SIGINT", timeoutMs: 10_000 } }));
    expect(diff.changed).toEqual([{ name: "api", fields: ["port", "shutdown.signal"] }]);
    expect(diff.updated).toEqual([]);
  });

  test("a dependency's condition is a change; the order dependencies are listed in is not", () => {
    const two = (deps: ServiceOptions["dependsOn"]) => makeConfig([makeService("a"), makeService("b"), makeService("c", { dependsOn: deps })]);
    expect(diffConfigs(two(["a", "b"]), two(["b", "a"])).unchanged).toEqual(["a", "b", "c"]);
    expect(diffConfigs(two(["a", "b"]), two(["a", { name: "b", condition: "started" }])).updated).toEqual([{ name: "c", fields: ["dependsOn"] }]);
  });

  test("a key set to undefined equals a missing key", () => {
    const old = makeConfig([makeService("api", { envFile: undefined })]);
    const next = makeConfig([makeService("api")]);
    expect(diffConfigs(old, next).unchanged).toEqual(["api"]);
  });

  test("api, state.dir and launch.concurrency changes are ignored with a reason; other top-level keys are not", () => {
    const old = makeConfig(base());
    const next: Config = {
      ...makeConfig(base(), 3),
      name: "renamed",
      api: { host: "127.0.0.2", port: 9100, token: "s3cret", cors: ["http://localhost:3000"] },
      stateDir: "/var/lib/orchestrator",
      circuitBreaker: { failureThreshold: 5, windowMs: 60_000, cooldownMs: 30_000 },
    };
    const diff = diffConfigs(old, next);
    expect(diff.ignored.map((i) => i.key)).toEqual(["api.host", "api.port", "api.token", "api.cors", "state.dir", "launch.concurrency"]);
    for (const entry of diff.ignored) expect(entry.reason.length).toBeGreaterThan(20);
    expect(JSON.stringify(diff)).not.toContain("s3cret");
    const live = mergeLiveConfig(old, next);
    expect(live.api).toEqual(old.api);
    expect(live.stateDir).toBe(old.stateDir);
    expect(live.launch.concurrency).toBe(10);
    expect(live.name).toBe("renamed");
    expect(live.circuitBreaker.failureThreshold).toBe(5);
  });

  test("a changed data list is an in-place update (check and export read it; the process does not)", () => {
    const next = makeConfig([...base().filter((s) => s.name !== "db"), { ...makeService("db"), data: ["/var/lib/db"] }]);
    expect(diffConfigs(makeConfig(base()), next).updated).toEqual([{ name: "db", fields: ["data"] }]);
    expect(needsRestart("data")).toBe(false);
  });

  test("needsRestart: env keys and the process-shaping fields only", () => {
    expect(["command", "cwd", "env.X", "envFile", "port", "health", "source"].every(needsRestart)).toBe(true);
    expect(["health.intervalMs", "restart.policy", "dependsOn", "shutdown.signal", "phase", "image"].some(needsRestart)).toBe(false);
  });
});
