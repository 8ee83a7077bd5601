import { describe, expect, test } from "bun:test";
import { UnknownServiceError } from "../../src/supervisor/errors";
import { InvalidTransitionError } from "../../src/supervisor/transition";
import { createHarness, service } from "./harness";

const toQuarantine = { configure: (c: { circuitBreaker: { failureThreshold: number } }) => void (c.circuitBreaker.failureThreshold = 1000) };

describe("manual actions", () => {
  test("restart lifts quarantine and starts the ladder over", async () => {
    const h = createHarness([service("api")], toQuarantine);
    void h.supervisor.start();
    for (let i = 0; i < 8; i++) {
      h.spawner.last("api").exit(1);
      await h.settle();
    }
    expect(h.state("api")).toBe("quarantined");
    const action = h.supervisor.restart("api");
    expect(action).toMatchObject({ service: "api", action: "restart", from: "quarantined" });
    await action.done;
    expect(h.state("api")).toBe("starting");
    expect(h.sink.healing("api").find((e) => e.action === "manual-restart")).toMatchObject({ tier: "manual" });
    h.spawner.last("api").exit(1);
    await h.settle();
    expect(h.sink.healing("api").at(-1)).toMatchObject({ action: "restarted", attempt: 1, tier: "immediate" });
  });

  test("restart of a healthy service stops it gracefully, then starts it", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.probes.pass("api");
    const old = h.spawner.last("api");
    await h.supervisor.restart("api").done;
    expect(old.signals).toEqual(["SIGTERM"]);
    expect(h.sink.states("api")).toEqual(["starting", "healthy", "stopping", "stopped", "starting"]);
    expect(h.supervisor.service("api").restarts).toBe(1);
  });

  test("stop keeps a service down; start brings it back", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.probes.pass("api");
    await h.supervisor.stop("api").done;
    expect(h.state("api")).toBe("stopped");
    await h.clock.advance(600_000);
    expect(h.spawner.children("api")).toHaveLength(1);
    expect(() => h.supervisor.stop("api")).toThrow(InvalidTransitionError);
    h.supervisor.start("api");
    expect(h.state("api")).toBe("starting");
    expect(() => h.supervisor.start("api")).toThrow(InvalidTransitionError);
  });

  test("a stop that the service ignores ends in SIGKILL after its shutdown timeout", async () => {
    const h = createHarness([service("api", { shutdown: { signal: "SIGINT", timeoutMs: 5_000 } })]);
    void h.supervisor.start();
    h.spawner.setStopBehaviour("api", "ignore");
    let done = false;
    void h.supervisor.stop("api").done.then(() => (done = true));
    await h.clock.advance(4_999);
    expect(h.state("api")).toBe("stopping");
    expect(done).toBe(false);
    await h.clock.advance(1);
    expect(done).toBe(true);
    expect(h.spawner.last("api").signals).toEqual(["SIGINT", "SIGKILL"]);
    expect(h.spawner.children("api")).toHaveLength(1); // a deliberate stop is not a crash
  });

  test("unknown names and impossible actions are errors with codes", () => {
    const h = createHarness([service("api")]);
    let error: unknown;
    try {
      h.supervisor.restart("nope");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownServiceError);
    expect(error).toMatchObject({ code: "UNKNOWN_SERVICE", status: 404 });
    expect((error as Error).message).toBe('expected one of the enabled services (api), got "nope"');
    expect(() => h.supervisor.stop("api")).not.toThrow(); // pending → stopped
    expect(() => h.supervisor.stop("api")).toThrow(InvalidTransitionError);
  });
});
