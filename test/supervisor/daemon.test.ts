/** Daemon detection (SPEC §13) with the fake spawner: a quick clean exit that leaves something serving is not `completed`. */
import { describe, expect, test } from "bun:test";
import type { Probe } from "../../src/health/probe";
import { DAEMON_WINDOW_MS } from "../../src/supervisor/daemon-check";
import { NO_PROBE, createHarness, service } from "./harness";
import type { ServiceConfig } from "../../src/contract/config";

const HINT =
  "keep it in the foreground (e.g. `redis-server --daemonize no`, `nginx -g 'daemon off;'`, `postgres` rather than `pg_ctl start`, `php-fpm --nodaemonize`) or set `pidFile:` to supervise the pid it writes";

/** A harness whose probes (the service's own, and a TCP check of its port) answer as `answers` says. */
function daemonHarness(services: ServiceConfig[], answers: { ok: boolean }) {
  const checked: string[] = [];
  const h = createHarness(services, {
    overrides: {
      createProbe: (s): Probe | null =>
        s.health.check ? { check: async () => (checked.push(`${s.name}:${s.health.check!.kind}`), { ok: answers.ok, latencyMs: 1, checkedAt: 0 }) } : null,
    },
  });
  return { ...h, checked };
}

describe("daemon detection", () => {
  test("exits 0 at once and left its daemon outside its group: failed, says daemonized and how to stay in the foreground", async () => {
    const h = daemonHarness([service("redis", { health: NO_PROBE })], { ok: false });
    void h.supervisor.start();
    await h.clock.advance(40);
    h.spawner.last("redis").exit(0, [{ pid: 4242, comm: "redis-server" }]);
    await h.settle();
    expect(h.state("redis")).toBe("failed");
    const reason = `looks daemonized: exited with code 0 40ms after starting and left pid 4242 (redis-server) outside its process group (killed with it); ${HINT}`;
    expect(h.sink.healing("redis").map((e) => [e.action, e.reason])).toEqual([
      ["detected", reason],
      ["gave-up", reason],
    ]);
    expect(h.spawner.children("redis")).toHaveLength(1); // restarting it would only daemonize again
    expect(h.supervisor.system().reasons).toEqual([`redis is failed: ${reason}`]);
  });

  test("exits 0 at once with its daemon still in its group (forked, not yet setsid): failed, daemonized, nothing probed", async () => {
    const h = daemonHarness([service("redis", { port: 6390 })], { ok: false });
    void h.supervisor.start();
    await h.clock.advance(14);
    h.spawner.last("redis").exit(0, undefined, [{ pid: 4243, comm: "redis-server" }]);
    await h.settle();
    expect(h.state("redis")).toBe("failed");
    expect(h.checked).toEqual([]);
    expect(h.supervisor.service("redis").lastReason).toBe(
      `looks daemonized: exited with code 0 14ms after starting and left pid 4243 (redis-server) running in its process group (killed with it); ${HINT}`,
    );
  });

  test("exits 0 at once while its port answers: failed, daemonized (its port checked over TCP)", async () => {
    const h = daemonHarness([service("redis", { port: 6390 })], { ok: true });
    void h.supervisor.start();
    h.spawner.last("redis").exit(0);
    await h.settle();
    expect(h.state("redis")).toBe("failed");
    expect(h.checked).toContain("redis:tcp");
    expect(h.supervisor.service("redis").lastReason).toBe(`looks daemonized: exited with code 0 0ms after starting while port 6390 answers; ${HINT}`);
  });

  test("no port: its probe target answering is the evidence", async () => {
    const h = daemonHarness([service("web")], { ok: true });
    void h.supervisor.start();
    h.spawner.last("web").exit(0);
    await h.settle();
    expect(h.supervisor.service("web").lastReason).toStartWith("looks daemonized: exited with code 0 0ms after starting while its probe target answers; ");
  });

  test("policy always: still failed, not restarted in a loop", async () => {
    const h = daemonHarness([service("web", { port: 8080, restart: { policy: "always", backoffMs: [0], resetAfterMs: 1 } })], { ok: true });
    void h.supervisor.start();
    h.spawner.last("web").exit(0);
    await h.settle();
    expect(h.state("web")).toBe("failed");
    expect(h.spawner.children("web")).toHaveLength(1);
  });

  test("nothing answers and nothing was left: a one-shot that completed", async () => {
    const h = daemonHarness([service("seed", { port: 7000 })], { ok: false });
    void h.supervisor.start();
    h.spawner.last("seed").exit(0);
    await h.settle();
    expect(h.state("seed")).toBe("completed");
    expect(h.sink.healing("seed")).toEqual([]);
  });

  test("after the first second, or with a non-zero code, or with pidFile, it is not judged", async () => {
    const h = daemonHarness(
      [service("late", { port: 7001 }), service("crash", { port: 7002 }), service("legacy", { port: 7003, pidFile: "/run/legacy.pid" })],
      { ok: true },
    );
    void h.supervisor.start();
    h.spawner.last("crash").exit(1, [{ pid: 1, comm: "x" }]);
    h.spawner.last("legacy").exit(0, [{ pid: 2, comm: "y" }]);
    await h.clock.advance(DAEMON_WINDOW_MS);
    h.spawner.last("late").exit(0);
    await h.settle();
    expect(h.state("late")).toBe("completed");
    expect(h.state("legacy")).toBe("completed");
    expect(h.sink.healing("crash").map((e) => e.action)).toContain("restart-scheduled");
    expect(h.checked.filter((c) => c.endsWith(":tcp"))).toEqual([]);
  });

  test("a stop while the port is being checked wins: stopped, not failed", async () => {
    let answer!: (ok: boolean) => void;
    const h = createHarness([service("redis", { port: 6390 })], {
      overrides: { createProbe: () => ({ check: () => new Promise((resolve) => (answer = (ok) => resolve({ ok, latencyMs: 1, checkedAt: 0 }))) }) },
    });
    void h.supervisor.start();
    h.spawner.last("redis").exit(0);
    await h.settle();
    await h.supervisor.stop("redis").done;
    answer(true);
    await h.settle();
    expect(h.state("redis")).toBe("stopped");
    expect(h.sink.healing("redis")).toEqual([]);
  });
});
