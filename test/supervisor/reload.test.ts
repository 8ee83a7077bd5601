import { describe, expect, test } from "bun:test";
import type { ServiceConfig } from "../../src/contract/config";
import type { ReloadDiff } from "../../src/contract/actions";
import { ShuttingDownError, UnknownServiceError } from "../../src/supervisor/errors";
import { makeConfig } from "../graph/make-service";
import { PROBED, createHarness, service } from "./harness";

type Harness = ReturnType<typeof createHarness>;

/** Reconcile `h` with a config of `services` (same top-level settings as the harness's). */
function reload(h: Harness, services: ServiceConfig[]): Promise<ReloadDiff> {
  return h.supervisor.reconcile(makeConfig(services));
}

async function launchHealthy(h: Harness, ...names: string[]): Promise<void> {
  void h.supervisor.start();
  h.probes.pass(...names);
  await h.settle();
}

describe("reconcile: what happens to each service", () => {
  test("added launches, removed stops and leaves the snapshot, changed restarts with its new spec, unchanged keeps its process", async () => {
    const h = createHarness([service("keep"), service("gone"), service("edit", { env: { LOG_LEVEL: "info" } })]);
    await launchHealthy(h, "keep", "gone", "edit");
    const [keep, gone, edit] = [h.spawner.last("keep"), h.spawner.last("gone"), h.spawner.last("edit")];

    const diff = await reload(h, [service("keep"), service("edit", { env: { LOG_LEVEL: "debug" } }), service("new")]);

    expect(diff).toMatchObject({ added: ["new"], removed: ["gone"], changed: [{ name: "edit", fields: ["env.LOG_LEVEL"] }], updated: [], unchanged: ["keep"] });
    expect(h.spawner.children("keep")).toEqual([keep]);
    expect(keep.signals).toEqual([]);
    expect(h.supervisor.service("keep")).toMatchObject({ pid: keep.pid, state: "healthy" });
    expect(gone.signals).toEqual(["SIGTERM"]);
    expect(gone.running).toBe(false);
    expect(h.sink.states("gone").slice(-2)).toEqual(["stopping", "stopped"]);
    expect(h.supervisor.names).not.toContain("gone");
    expect(() => h.supervisor.service("gone")).toThrow(UnknownServiceError);
    expect(edit.signals).toEqual(["SIGTERM"]);
    expect(h.spawner.children("edit")).toHaveLength(2);
    expect(h.spawner.last("edit").spec.env.LOG_LEVEL).toBe("debug");
    expect(h.sink.healing("edit").at(-1)).toMatchObject({ action: "manual-restart", tier: "manual", reason: "reload: changed env.LOG_LEVEL" });
    expect([h.state("edit"), h.state("new")]).toEqual(["starting", "starting"]);
    h.probes.pass("edit", "new");
    expect(h.supervisor.snapshot().services.map((s) => `${s.name}:${s.state}`)).toEqual(["edit:healthy", "keep:healthy", "new:healthy"]);
    expect(h.supervisor.service("edit").restarts).toBe(1);
    expect(h.supervisor.system().state).toBe("ready");
    expect(h.supervisor.config.services.map((s) => s.name)).toEqual(["edit", "keep", "new"]);
  });

  test("stops come before starts: an added service waits until a removed one is down", async () => {
    const h = createHarness([service("old", { port: 4001, shutdown: { signal: "SIGTERM", timeoutMs: 5_000 } })]);
    await launchHealthy(h, "old");
    h.spawner.setStopBehaviour("old", "ignore");
    let diff: ReloadDiff | undefined;
    void reload(h, [service("new", { port: 4001 })]).then((d) => (diff = d));
    await h.clock.advance(4_999);
    expect(h.spawner.children("new")).toHaveLength(0);
    expect(h.state("old")).toBe("stopping");
    await h.clock.advance(1);
    expect(h.spawner.last("old").signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(h.spawner.children("new")).toHaveLength(1);
    expect(diff).toMatchObject({ added: ["new"], removed: ["old"] });
  });

  test("a changed service is stopped with its old shutdown signal; its replacement uses the new one", async () => {
    const h = createHarness([service("api", { shutdown: { signal: "SIGINT", timeoutMs: 1_000 } })]);
    await launchHealthy(h, "api");
    const first = h.spawner.last("api");
    const diff = await reload(h, [service("api", { command: ["bun", "run", "v2.ts"], shutdown: { signal: "SIGQUIT", timeoutMs: 1_000 } })]);
    expect(diff.changed).toEqual([{ name: "api", fields: ["command", "shutdown.signal"] }]);
    expect(first.signals).toEqual(["SIGINT"]);
    const second = h.spawner.last("api");
    expect(second.spec.command).toEqual(["bun", "run", "v2.ts"]);
    h.probes.pass("api");
    await h.supervisor.stop("api").done;
    expect(second.signals).toEqual(["SIGQUIT"]);
  });

  test("an in-place change keeps the process: the next failure follows the new restart policy, the next stop the new signal", async () => {
    const h = createHarness([service("api"), service("worker")]);
    await launchHealthy(h, "api", "worker");
    const api = h.spawner.last("api");
    const diff = await reload(h, [
      service("api", { restart: { policy: "never", backoffMs: [0], resetAfterMs: 300_000 } }),
      service("worker", { shutdown: { signal: "SIGINT", timeoutMs: 10_000 } }),
    ]);
    expect(diff).toMatchObject({ changed: [], updated: [{ name: "api", fields: ["restart.policy"] }, { name: "worker", fields: ["shutdown.signal"] }], unchanged: [] });
    expect(h.spawner.children("api")).toEqual([api]);
    expect(h.supervisor.service("api").pid).toBe(api.pid);
    api.exit(1);
    await h.settle();
    expect(h.state("api")).toBe("failed"); // on-failure would have respawned it
    expect(h.spawner.children("api")).toHaveLength(1);
    await h.supervisor.stop("worker").done;
    expect(h.spawner.last("worker").signals).toEqual(["SIGINT"]);
  });

  test("a health interval change reschedules the probe without restarting the service", async () => {
    const h = createHarness([service("api", { health: PROBED })]);
    const starts: { name: string; intervalMs: number }[] = [];
    const start = h.probes.start.bind(h.probes);
    h.probes.start = (name, probe, options, onResult) => {
      starts.push({ name, intervalMs: options.intervalMs });
      start(name, probe, options, onResult);
    };
    await launchHealthy(h, "api");
    const diff = await reload(h, [service("api", { health: { ...PROBED, intervalMs: 250 } })]);
    expect(diff.updated).toEqual([{ name: "api", fields: ["health.intervalMs"] }]);
    expect(starts).toEqual([{ name: "api", intervalMs: 1000 }, { name: "api", intervalMs: 250 }]);
    expect(h.probes.modes.get("api")).toBe("steady");
    expect(h.spawner.children("api")).toHaveLength(1);
    h.probes.fail("api", 3); // the new schedule still reaches the service: it turns unhealthy and heals
    await h.settle();
    expect(h.spawner.children("api")).toHaveLength(2);
  });

  test("a changed service the operator had stopped stays stopped, and starts with the new config", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    await h.supervisor.stop("api").done;
    const diff = await reload(h, [service("api", { env: { MODE: "new" } })]);
    expect(diff.changed).toEqual([{ name: "api", fields: ["env.MODE"] }]);
    expect(h.state("api")).toBe("stopped");
    expect(h.spawner.children("api")).toHaveLength(1);
    expect(h.sink.healing("api").some((e) => e.action === "manual-restart")).toBe(false);
    h.supervisor.start("api");
    expect(h.spawner.last("api").spec.env.MODE).toBe("new");
  });
});

describe("reconcile: dependency edges", () => {
  test("a service blocked on a dependency the reload removes is released and starts", async () => {
    const never = { policy: "never" as const, backoffMs: [0], resetAfterMs: 300_000 };
    const h = createHarness([service("db", { restart: never }), service("app", { dependsOn: ["db"] })]);
    void h.supervisor.start();
    h.spawner.last("db").exit(1);
    await h.settle();
    expect([h.state("db"), h.state("app")]).toEqual(["failed", "blocked"]);
    const diff = await reload(h, [service("db", { restart: never, disabled: true }), service("app", { dependsOn: ["db"] })]);
    expect(diff).toMatchObject({ removed: ["db"], unchanged: ["app"] });
    expect(h.state("app")).toBe("starting");
    expect(h.supervisor.service("app").dependsOn).toEqual([{ name: "db", condition: "healthy" }]); // the manifest still says so
  });

  test("a running service keeps its process when its dependency is removed, and is wired to it again when it comes back", async () => {
    const services = (dbDisabled: boolean) => [service("db", { disabled: dbDisabled }), service("app", { dependsOn: ["db"] })];
    const h = createHarness(services(false));
    await launchHealthy(h, "db");
    h.probes.pass("app");
    const app = h.spawner.last("app");
    expect(await reload(h, services(true))).toMatchObject({ removed: ["db"], unchanged: ["app"] });
    expect(h.supervisor.service("app")).toMatchObject({ state: "healthy", pid: app.pid });
    expect(await reload(h, services(false))).toMatchObject({ added: ["db"], unchanged: ["app"] });
    expect(h.spawner.children("db")).toHaveLength(2);
    h.probes.pass("db");
    expect(h.supervisor.service("app")).toMatchObject({ state: "healthy", pid: app.pid });
    // The edge is back: shutdown stops app first and db only once app is down.
    h.spawner.setStopBehaviour("app", "ignore");
    void h.supervisor.shutdown();
    await h.clock.advance(9_999);
    expect(h.spawner.last("db").signals).toEqual([]);
    await h.clock.advance(1);
    expect(app.signals).toEqual(["SIGTERM", "SIGKILL"]);
    expect(h.spawner.last("db").signals).toEqual(["SIGTERM"]);
  });

  test("an added service waits for its dependencies: an unchanged healthy one, and another added one", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    await reload(h, [service("api"), service("cache"), service("web", { dependsOn: ["api", "cache"] })]);
    expect([h.state("cache"), h.state("web")]).toEqual(["starting", "pending"]);
    h.probes.pass("cache");
    expect(h.state("web")).toBe("starting");
  });

  test("dependents are linked to a changed service's replacement, not to the stopped record", async () => {
    const h = createHarness([service("api"), service("worker", { dependsOn: ["api"] })]);
    await launchHealthy(h, "api");
    h.probes.pass("worker");
    await reload(h, [service("api", { command: "./v2" }), service("worker", { dependsOn: ["api"] }), service("web", { dependsOn: ["api"] })]);
    expect([h.state("api"), h.state("web")]).toEqual(["starting", "pending"]);
    h.probes.pass("api");
    expect(h.state("web")).toBe("starting");
    expect(h.supervisor.service("worker").state).toBe("healthy");
  });

  test("an added service that depends on an unhealthy one stays blocked until it recovers", async () => {
    const slow = { policy: "on-failure" as const, backoffMs: [10_000], resetAfterMs: 300_000 };
    const h = createHarness([service("db", { restart: slow })]);
    await launchHealthy(h, "db");
    h.probes.fail("db", 3);
    await h.settle();
    expect(h.state("db")).toBe("backoff");
    await reload(h, [service("db", { restart: slow }), service("web", { dependsOn: ["db"] })]);
    expect(h.state("web")).toBe("blocked");
    expect(h.spawner.children("web")).toHaveLength(0);
    await h.clock.advance(10_000);
    expect(h.state("db")).toBe("starting");
    expect(h.state("web")).toBe("blocked");
    h.probes.pass("db");
    expect(h.state("web")).toBe("starting");
  });

  test("a service degraded by a dependency's open breaker is re-verified when the reload removes that dependency", async () => {
    const h = createHarness([service("db"), service("app", { dependsOn: ["db"] })]);
    await launchHealthy(h, "db");
    h.probes.pass("app");
    const app = h.spawner.last("app");
    for (let i = 0; i < 3; i++) {
      h.spawner.last("db").exit(1);
      await h.settle();
    }
    expect(h.supervisor.service("db").breaker.state).toBe("open");
    expect(h.state("app")).toBe("degraded");
    await reload(h, [service("db", { disabled: true }), service("app", { dependsOn: ["db"] })]);
    expect(h.state("app")).toBe("starting");
    h.probes.pass("app");
    expect(h.supervisor.service("app")).toMatchObject({ state: "healthy", pid: app.pid });
  });

  test("removing the only failing service makes the system ready", async () => {
    const never = { policy: "never" as const, backoffMs: [0], resetAfterMs: 300_000 };
    const h = createHarness([service("api"), service("flaky", { restart: never })]);
    void h.supervisor.start();
    h.probes.pass("api");
    h.spawner.last("flaky").exit(1);
    await h.settle();
    expect(h.supervisor.system().state).toBe("degraded");
    await reload(h, [service("api")]);
    expect(h.supervisor.system()).toMatchObject({ state: "ready", reasons: [] });
    expect(h.sink.statuses().at(-1)).toEqual({ state: "ready", reasons: [] });
    expect(h.supervisor.system().counts.failed).toBe(0);
  });
});

describe("reconcile: timing and order", () => {
  test("a reload during the launch waits for the launch to end", async () => {
    const h = createHarness([service("db", { phase: 0 }), service("api")]);
    void h.supervisor.start();
    let diff: ReloadDiff | undefined;
    void reload(h, [service("db", { phase: 0 }), service("api"), service("extra")]).then((d) => (diff = d));
    await h.settle();
    expect(diff).toBeUndefined();
    expect(h.spawner.children("extra")).toHaveLength(0);
    h.probes.pass("db");
    h.probes.pass("api");
    await h.settle();
    expect(diff?.added).toEqual(["extra"]);
    expect(h.state("extra")).toBe("starting");
  });

  test("a reload before start only reshapes the fleet; start launches the new set in its order", async () => {
    const h = createHarness([service("a"), service("b")]);
    await reload(h, [service("b", { env: { X: "1" } }), service("c", { phase: 0 })]);
    expect(h.spawner.spawns).toHaveLength(0);
    expect(h.supervisor.names).toEqual(["c", "b"]);
    expect(h.supervisor.service("b").restarts).toBe(0);
    expect(h.sink.healing()).toEqual([]);
    void h.supervisor.start();
    expect(h.spawner.spawns.map((s) => s.name)).toEqual(["c"]);
    h.probes.pass("c");
    expect(h.spawner.spawns.map((s) => s.name)).toEqual(["c", "b"]);
    expect(h.spawner.last("b").spec.env.X).toBe("1");
  });

  test("reloads run one at a time, each compared with the config the previous one left", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    const next = [service("api"), service("extra")];
    const [first, second] = await Promise.all([reload(h, next), reload(h, next)]);
    expect(first.added).toEqual(["extra"]);
    expect(second).toMatchObject({ added: [], unchanged: ["api", "extra"] });
    expect(h.spawner.children("extra")).toHaveLength(1);
  });

  test("a config read by a function is read only when its turn comes, after the previous reconcile is applied", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    const reads: string[] = [];
    let finishFirstRead!: () => void;
    const firstRead = new Promise<void>((resolve) => (finishFirstRead = resolve));
    const first = h.supervisor.reconcile(async () => {
      reads.push("first");
      await firstRead;
      return makeConfig([service("api"), service("extra")]);
    });
    const second = h.supervisor.reconcile(async () => {
      reads.push(`second, with ${h.supervisor.names.join(" ")}`);
      return makeConfig([service("api"), service("extra")]);
    });
    expect(h.supervisor.reconcilePending).toBe(true);
    await h.settle();
    expect(reads).toEqual(["first"]);
    finishFirstRead();
    expect((await first)?.added).toEqual(["extra"]);
    expect(await second).toMatchObject({ added: [], unchanged: ["api", "extra"] });
    expect(reads).toEqual(["first", "second, with api extra"]);
    expect(h.supervisor.reconcilePending).toBe(false);
  });

  test("a read that gives null applies nothing and resolves null", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    expect(await h.supervisor.reconcile(async () => null)).toBeNull();
    expect(h.supervisor.names).toEqual(["api"]);
    expect(h.spawner.spawns).toHaveLength(1);
  });

  test("a reload while shutting down is refused with ShuttingDownError and changes nothing", async () => {
    const h = createHarness([service("api")]);
    await launchHealthy(h, "api");
    void h.supervisor.shutdown();
    const error = await reload(h, [service("api"), service("extra")]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShuttingDownError);
    expect(error).toMatchObject({ code: "SHUTTING_DOWN", status: 409 });
    expect(h.supervisor.names).toEqual(["api"]);
  });
});
