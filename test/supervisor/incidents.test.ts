import { describe, expect, test } from "bun:test";
import type { Incident } from "../../src/contract/events";
import { createHarness, service } from "./harness";

const incidents = (h: ReturnType<typeof createHarness>): Incident[] => h.sink.events.flatMap((e) => (e.type === "incident" ? [e.payload] : []));

async function launch(h: ReturnType<typeof createHarness>, names: string[]) {
  void h.supervisor.start();
  for (const name of names) h.probes.pass(name);
  await h.settle();
}

describe("incidents (SPEC §16)", () => {
  const fleet = () => [
    service("db"),
    service("api", { phase: 2, dependsOn: ["db"] }),
    service("web", { phase: 2, dependsOn: ["db"] }),
    service("jobs", { phase: 2, dependsOn: ["db"] }),
  ];
  const withIncidents = (windowMs = 30_000, services = 3) => ({ configure: (c: { healing?: unknown }) => void (c.healing = { maxConcurrentRestarts: null, incident: { windowMs, services } }) });

  test("three services failing within the window are one incident: services, first failure, common upstream", async () => {
    const h = createHarness(fleet(), withIncidents());
    await launch(h, ["db", "api", "web", "jobs"]);
    h.spawner.last("api").exit(1);
    h.clock.advance(1000);
    expect(incidents(h)).toEqual([]);
    h.spawner.last("web").exit("SIGKILL");
    h.spawner.last("jobs").exit(2);
    await h.settle();
    const [opened, ...more] = incidents(h);
    expect(more).toEqual([]);
    expect(opened).toMatchObject({ id: 1, action: "opened", services: ["api", "web", "jobs"], upstream: "db", windowMs: 30_000 });
    expect(opened.first).toMatchObject({ service: "api", reason: "exited with code 1" });
  });

  test("a further service within the window grows it (same id); failures spread wider than the window are none", async () => {
    const h = createHarness([...fleet(), service("mail", { phase: 2 })], withIncidents(10_000));
    await launch(h, ["db", "api", "web", "jobs", "mail"]);
    h.spawner.last("api").exit(1);
    await h.clock.advance(11_000);
    h.spawner.last("web").exit(1);
    await h.clock.advance(11_000);
    h.spawner.last("jobs").exit(1);
    await h.settle();
    expect(incidents(h)).toEqual([]);
    h.spawner.last("api").exit(1);
    h.spawner.last("web").exit(1);
    await h.settle();
    h.spawner.last("mail").exit(1);
    await h.settle();
    const all = incidents(h);
    expect(all.map((i) => [i.id, i.action, i.services.join(",")])).toEqual([
      [1, "opened", "jobs,api,web"],
      [1, "grown", "jobs,api,web,mail"],
    ]);
    // api, web and jobs share db; mail depends on nothing
    expect(all[0].upstream).toBe("db");
    expect(all[1].upstream).toBeUndefined();
  });

  test("one service failing again and again is not an incident", async () => {
    const h = createHarness(fleet(), withIncidents(30_000, 2));
    await launch(h, ["db", "api", "web", "jobs"]);
    for (let i = 0; i < 3; i++) {
      h.spawner.last("api").exit(1);
      await h.settle();
    }
    expect(incidents(h)).toEqual([]);
  });

  test("healing.incident null (incident: false) groups nothing", async () => {
    const h = createHarness(fleet(), { configure: (c) => void (c.healing = { maxConcurrentRestarts: null, incident: null }) });
    await launch(h, ["db", "api", "web", "jobs"]);
    for (const name of ["api", "web", "jobs"]) h.spawner.last(name).exit(1);
    await h.settle();
    expect(incidents(h)).toEqual([]);
  });
});

describe("healing.maxConcurrentRestarts", () => {
  test("restarts past the cap wait in phase order, with a reason, and go as slots free up", async () => {
    const h = createHarness(
      [service("db"), service("api", { phase: 1 }), service("web", { phase: 2 }), service("jobs", { phase: 1 })],
      { configure: (c) => void (c.healing = { maxConcurrentRestarts: 1, incident: null }) },
    );
    await launch(h, ["db", "api", "web", "jobs"]);
    const first = { web: h.spawner.last("web"), api: h.spawner.last("api"), jobs: h.spawner.last("jobs") };
    h.spawner.last("web").exit(1); // takes the only slot
    h.spawner.last("jobs").exit(1);
    h.spawner.last("api").exit(1);
    await h.settle();
    expect(h.state("web")).toBe("starting");
    expect(h.spawner.last("web")).not.toBe(first.web);
    expect(h.state("api")).toBe("backoff");
    expect(h.spawner.last("api")).toBe(first.api);
    const queued = h.sink.healing().filter((e) => e.action === "restart-queued");
    expect(queued.map((e) => e.service)).toEqual(["jobs", "api"]);
    expect(queued[0].reason).toBe("waiting for a restart slot: 1 restarts in flight (healing.maxConcurrentRestarts: 1)");
    expect(h.supervisor.snapshot().system.reasons).toContain("jobs is backoff: waiting for a restart slot: 1 restarts in flight (healing.maxConcurrentRestarts: 1)");
    // web ready: the slot goes to api (phase 1, launched before jobs), not in the order they failed
    h.probes.pass("web");
    await h.settle();
    expect(h.state("api")).toBe("starting");
    expect(h.state("jobs")).toBe("backoff");
    expect(h.sink.healing("api").at(-1)).toMatchObject({ action: "restarted", reason: "exited with code 1" });
    h.probes.pass("api");
    await h.settle();
    expect(h.state("jobs")).toBe("starting");
    expect(h.spawner.last("jobs")).not.toBe(first.jobs);
  });

  test("a queued restart that a manual stop overtook is dropped, and the next one goes", async () => {
    const h = createHarness([service("a"), service("b"), service("c")], { configure: (c) => void (c.healing = { maxConcurrentRestarts: 1, incident: null }) });
    await launch(h, ["a", "b", "c"]);
    for (const name of ["a", "b", "c"]) h.spawner.last(name).exit(1);
    await h.settle();
    await h.supervisor.stop("b").done;
    h.probes.pass("a");
    await h.settle();
    expect(h.state("b")).toBe("stopped");
    expect(h.state("c")).toBe("starting");
  });
});
