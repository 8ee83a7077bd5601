/** Protected services (SPEC §13): the dependencies tier never restarts them; the dependent's healing event says so. */
import { describe, expect, test } from "bun:test";
import { createHarness, service } from "./harness";

const noBreaker = { configure: (c: { circuitBreaker: { failureThreshold: number } }) => void (c.circuitBreaker.failureThreshold = 1000) };

/** postgres and redis stand-ins, and a cache, under an app that crash-loops (a bad PGPORT, say). */
function fleet(overrides: { dbProtected?: boolean } = {}) {
  return createHarness(
    [
      service("postgres", { phase: 0, ...(overrides.dbProtected === undefined ? {} : { protected: overrides.dbProtected }) }),
      service("redis", { phase: 1, protected: true }),
      service("cache", { phase: 1 }),
      service("app", { phase: 2, dependsOn: ["postgres", "redis", "cache"] }),
    ],
    noBreaker,
  );
}

/** Crash `app` until it has gone through attempt `upTo`, passing every probe that comes. */
async function crashLoop(h: ReturnType<typeof fleet>, upTo: number): Promise<void> {
  for (let attempt = 1; attempt <= upTo; attempt++) {
    h.spawner.last("app").exit(1);
    await h.settle();
    // dependencies restart one after another, each once the one before is ready
    for (let round = 0; round < 3; round++) {
      for (const name of ["postgres", "redis", "cache"]) if (h.state(name) === "starting") h.probes.pass(name);
      await h.settle();
    }
    expect(h.state("app")).toBe("starting");
  }
}

describe("protected services", () => {
  test("an app crash-looping through the dependencies tier never restarts postgres (phase 0) or redis (protected: true)", async () => {
    const h = fleet();
    void h.supervisor.start();
    h.probes.pass("postgres", "redis", "cache", "app");
    await h.settle();
    const pg = h.spawner.last("postgres");
    const redis = h.spawner.last("redis");
    await crashLoop(h, 7);

    expect(h.spawner.children("postgres")).toEqual([pg]);
    expect(h.spawner.children("redis")).toEqual([redis]);
    expect(pg.signals).toEqual([]);
    expect(redis.signals).toEqual([]);
    expect(h.spawner.children("cache")).toHaveLength(3); // restarted at attempts 6 and 7
    expect(h.sink.healing("postgres")).toEqual([]);
    expect(h.sink.healing("redis")).toEqual([]);

    const restarted = h.sink.healing("app").filter((e) => e.action === "restarted" && e.tier === "dependencies");
    expect(restarted.map((e) => e.attempt)).toEqual([6, 7]);
    for (const event of restarted) {
      expect(event.skipped).toEqual([
        { service: "postgres", reason: "protected (phase 0; set protected: false to allow it)" },
        { service: "redis", reason: "protected: true" },
      ]);
      expect(event.reason).toBe(
        "exited with code 1; dependencies left alone: postgres (protected (phase 0; set protected: false to allow it)), redis (protected: true)",
      );
    }
    // the tiers before it leave every dependency alone and say nothing about them
    expect(h.sink.healing("app").filter((e) => e.action === "restarted" && e.tier !== "dependencies").every((e) => e.skipped === undefined)).toBe(true);
  });

  test("a phase-0 service that says protected: false is restarted by the dependencies tier", async () => {
    const h = fleet({ dbProtected: false });
    void h.supervisor.start();
    h.probes.pass("postgres", "redis", "cache", "app");
    await h.settle();
    await crashLoop(h, 6);
    expect(h.spawner.children("postgres")).toHaveLength(2);
    expect(h.spawner.children("postgres")[0]!.signals).toEqual(["SIGTERM"]);
    const restarted = h.sink.healing("app").filter((e) => e.action === "restarted" && e.tier === "dependencies");
    expect(restarted[0]?.skipped).toEqual([{ service: "redis", reason: "protected: true" }]);
  });

  test("a dependency the operator stopped is left alone too, and named", async () => {
    const h = fleet({ dbProtected: false });
    void h.supervisor.start();
    h.probes.pass("postgres", "redis", "cache", "app");
    await h.settle();
    await h.supervisor.stop("cache").done;
    await crashLoop(h, 6);
    expect(h.spawner.children("cache")).toHaveLength(1);
    expect(h.sink.healing("app").filter((e) => e.tier === "dependencies" && e.action === "restarted")[0]?.skipped).toContainEqual({
      service: "cache",
      reason: "it is stopped: the operator's to start",
    });
  });
});
