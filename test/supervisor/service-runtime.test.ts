/**
 * A ServiceRuntime changes only through its named operations: a direct write to a field fails
 * the type check (each `@ts-expect-error` below turns into an error of its own the day the
 * field becomes writable) and throws at run time; the state moves only in SupervisorCore.apply;
 * and the operations change together the fields that belong together.
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FakeClock } from "../../src/lib/clock";
import { FakeSpawner } from "../../src/process/fake-spawner";
import { ServiceRuntime } from "../../src/supervisor/service-runtime";
import { makeService } from "./harness";

const clock = new FakeClock();
const spawner = new FakeSpawner({ clock });

function createRecord(name = "api", order = 0): ServiceRuntime {
  return new ServiceRuntime(makeService(name), order, null, { failureThreshold: 3, windowMs: 60_000, cooldownMs: 30_000 }, clock, () => 0, () => {});
}

function spawnChild(name = "api") {
  return spawner.spawn({ name, command: ["true"], cwd: "/", env: {} }, () => {});
}

/** The fields behind getters: JavaScript itself refuses a write to them. */
const GETTERS = ["state", "child", "generation", "actionToken", "restarts", "startedAt", "lastReason", "everReady", "dependencies", "dependents", "probing", "stopPromise", "config", "order"];

describe("ServiceRuntime fields", () => {
  test("a direct write fails the type check and throws", () => {
    const record = createRecord();
    // @ts-expect-error the state changes only through SupervisorCore.apply
    expect(() => (record.state = "healthy")).toThrow(TypeError);
    // @ts-expect-error a spawn goes through beginSpawn, an exit through releaseChild
    expect(() => (record.child = null)).toThrow(TypeError);
    // @ts-expect-error the generation moves with the child
    expect(() => record.generation++).toThrow(TypeError);
    // @ts-expect-error restarts are counted by beginSpawn
    expect(() => (record.restarts = 5)).toThrow(TypeError);
    // @ts-expect-error a reason is recorded with recordReason
    expect(() => (record.lastReason = "x")).toThrow(TypeError);
    // @ts-expect-error a config is replaced with reconfigure
    expect(() => (record.config = makeService("other"))).toThrow(TypeError);
    // @ts-expect-error the timers are armed and cancelled through their own methods
    record.timers = record.timers;
    for (const field of GETTERS) expect(() => ((record as unknown as Record<string, unknown>)[field] = null), field).toThrow(TypeError);
    expect(record.state).toBe("pending");
  });

  test("the state is entered only in SupervisorCore.apply, and only it notifies the waiters", () => {
    const src = join(import.meta.dir, "../../src");
    const callers = (pattern: RegExp) =>
      [...new Glob("**/*.ts").scanSync({ cwd: src })].filter((file) => pattern.test(readFileSync(join(src, file), "utf8"))).sort();
    expect(callers(/\.enterState\(/)).toEqual(["supervisor/core.ts"]);
    expect(callers(/\.waiters\.notify\(/)).toEqual(["supervisor/core.ts"]);
  });
});

describe("ServiceRuntime operations", () => {
  test("beginSpawn: a new generation, the child, its start time, failures from zero; only a restart counts", () => {
    const record = createRecord();
    record.health.record({ ok: false, latencyMs: 1, checkedAt: clock.now(), error: "refused" });
    const child = spawnChild();
    expect(record.beginSpawn(child, 1234, false)).toBe(1);
    expect({ child: record.child, startedAt: record.startedAt, restarts: record.restarts, failures: record.health.failures, alive: record.alive }).toEqual({
      child,
      startedAt: 1234,
      restarts: 0,
      failures: 0,
      alive: true,
    });
    record.disownChild();
    expect(record.beginSpawn(spawnChild(), 2000, true)).toBe(3);
    expect(record.restarts).toBe(1);
  });

  test("an exit releases the child in its generation; a deliberate kill disowns it into a new one", () => {
    const record = createRecord();
    const first = spawnChild();
    record.beginSpawn(first, 0, false);
    record.releaseChild();
    expect({ child: record.child, generation: record.generation }).toEqual({ child: null, generation: 1 });
    const second = spawnChild();
    record.beginSpawn(second, 0, false);
    expect(record.disownChild()).toBe(second);
    expect({ child: record.child, generation: record.generation }).toEqual({ child: null, generation: 3 });
    expect(record.disownChild()).toBeNull();
    expect(record.generation).toBe(3);
  });

  test("a probe result is kept, shown and counted; the health changes only on a status flip", () => {
    const record = createRecord();
    expect(record.health.record({ ok: false, latencyMs: 2, checkedAt: 1, error: "refused" })).toBe(true);
    expect(record.health.record({ ok: false, latencyMs: 3, checkedAt: 2, error: "refused" })).toBe(false);
    expect(record.health.failures).toBe(2);
    expect(record.health.record({ ok: true, latencyMs: 4, checkedAt: 3, endpoint: "/health" })).toBe(true);
    expect(record.health.failures).toBe(0);
    expect(record.health.current).toEqual({ status: "healthy", latencyMs: 4, endpoint: "/health", checkedAt: 3, error: null });
    expect(record.health.list().map((r) => r.checkedAt)).toEqual([1, 2, 3]);
  });

  test("linkTo tells both sides; clearLinks forgets this record's links", () => {
    const db = createRecord("db");
    const api = createRecord("api");
    api.linkTo(db, "healthy");
    expect(api.dependencies).toEqual([{ service: db, condition: "healthy" }]);
    expect(db.dependents).toEqual([api]);
    api.clearLinks();
    expect(api.dependencies).toEqual([]);
  });

  test("holdStop: a second stop joins the first; it is let go before what follows runs", async () => {
    const record = createRecord();
    let release!: () => void;
    const seen: (Promise<void> | null)[] = [];
    const held = record.holdStop(new Promise((resolve) => (release = resolve)), () => seen.push(record.stopPromise));
    expect(record.stopPromise).toBe(held);
    release();
    await held;
    expect(seen).toEqual([null]);
    expect(record.stopPromise).toBeNull();
  });

  test("a record replacing another goes on counting its restarts", () => {
    const old = createRecord();
    old.beginSpawn(spawnChild(), 0, true);
    old.beginSpawn(spawnChild(), 0, true);
    const fresh = createRecord();
    fresh.inheritRestarts(old, true);
    expect(fresh.restarts).toBe(3);
  });
});
