import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { FakeSpawner } from "../../src/process/fake-spawner";
import type { SpawnSpec } from "../../src/process/spawner";
import { describeSpawnerContract, type SpawnerHarness } from "./spawner-contract";

const spec = (name: string): SpawnSpec => ({ name, command: ["svc"], cwd: "/srv", env: {} });

function makeFakeHarness(): SpawnerHarness {
  const clock = new FakeClock();
  const fake = new FakeSpawner({ clock });
  let n = 0;
  return {
    spawner: fake,
    stopCommands: { ends: "stop-it", idle: "do-nothing" },
    async start(script, onLine = () => {}) {
      const name = `svc-${n++}`;
      if (script.kind === "missing-command") fake.failNextSpawn(name, `cannot start "${name}": command not found: svc`);
      if (script.kind === "missing-cwd") fake.failNextSpawn(name, `cannot start "${name}": working directory /srv does not exist`);
      if (script.kind === "ignore-sigterm") fake.setStopBehaviour(name, "ignore");
      const child = fake.spawn(spec(name), onLine);
      if (script.kind === "exit") child.exit(script.code);
      if (script.kind === "die-of-signal") child.exit(script.signal);
      if (script.kind === "print-and-exit") {
        for (const line of script.stdout) child.emit("stdout", line);
        for (const line of script.stderr) child.emit("stderr", line);
        child.exit(script.code);
      }
      return child;
    },
    elapse: (ms) => clock.advance(ms),
    async cleanup() {
      for (const child of fake.running()) child.kill();
      fake.close();
    },
  };
}

describeSpawnerContract("FakeSpawner", makeFakeHarness);

describe("FakeSpawner", () => {
  test("records every spec and hands out increasing pids", () => {
    const fake = new FakeSpawner({ firstPid: 500 });
    const a = fake.spawn(spec("a"), () => {});
    const b = fake.spawn(spec("b"), () => {});
    const a2 = fake.spawn(spec("a"), () => {});
    expect([a.pid, b.pid, a2.pid]).toEqual([500, 501, 502]);
    expect(fake.spawns.map((s) => s.name)).toEqual(["a", "b", "a"]);
    expect(fake.last("a")).toBe(a2);
    expect(fake.children("a")).toEqual([a, a2]);
  });

  test("last() names the services it knows when asked for an unknown one", () => {
    const fake = new FakeSpawner();
    fake.spawn(spec("api"), () => {});
    expect(() => fake.last("db")).toThrow('expected a spawn of "db", got none (spawned: api)');
  });

  test("failNextSpawn fails only the next spawn of that service, in queue order", async () => {
    const fake = new FakeSpawner();
    fake.failNextSpawn("api", "boom");
    const failed = fake.spawn(spec("api"), () => {});
    const ok = fake.spawn(spec("api"), () => {});
    expect(failed.pid).toBe(0);
    expect(await failed.exited).toEqual({ code: null, signal: null, reason: "spawn-error", error: "boom" });
    expect(ok.running).toBe(true);
    expect(fake.children("api")).toHaveLength(2);
  });

  test("an ignoring child records SIGTERM, survives until the timeout, then is SIGKILLed", async () => {
    const clock = new FakeClock();
    const fake = new FakeSpawner({ clock, stopBehaviour: "ignore" });
    const child = fake.spawn(spec("api"), () => {});
    const stopping = child.stop("SIGTERM", 1000);
    await clock.advance(999);
    expect(child.running).toBe(true);
    await clock.advance(1);
    expect(await stopping).toMatchObject({ signal: "SIGKILL", reason: "signaled" });
    expect(child.signals).toEqual(["SIGTERM", "SIGKILL"]);
  });

  test("a graceful child exits 0 after exitAfterMs and the kill timer is cancelled", async () => {
    const clock = new FakeClock();
    const fake = new FakeSpawner({ clock });
    fake.setStopBehaviour("api", { exitAfterMs: 200 });
    const child = fake.spawn(spec("api"), () => {});
    const stopping = child.stop("SIGINT", 1000);
    await clock.advance(200);
    expect(await stopping).toEqual({ code: 0, signal: null, reason: "exited" });
    expect(clock.pendingCount).toBe(0);
    expect(child.signals).toEqual(["SIGINT"]);
  });

  test("setStopBehaviour also changes children already running", async () => {
    const clock = new FakeClock();
    const fake = new FakeSpawner({ clock });
    const child = fake.spawn(spec("api"), () => {});
    fake.setStopBehaviour("api", "ignore");
    const stopping = child.stop("SIGTERM", 50);
    expect(child.running).toBe(true);
    await clock.advance(50);
    expect((await stopping).signal).toBe("SIGKILL");
  });

  test("onSpawn scripts every new child, e.g. crash at once", async () => {
    const fake = new FakeSpawner();
    const off = fake.onSpawn((child) => child.exit(1));
    expect((await fake.spawn(spec("api"), () => {}).exited).code).toBe(1);
    off();
    expect(fake.spawn(spec("api"), () => {}).running).toBe(true);
  });

  test("the first exit wins and emit after an exit is a test bug", async () => {
    const fake = new FakeSpawner();
    const child = fake.spawn(spec("api"), () => {});
    child.exit(2);
    child.exit("SIGKILL");
    expect(child.exitResult).toEqual({ code: 2, signal: null, reason: "exited" });
    expect(() => child.emit("stdout", "late")).toThrow("expected a running child");
  });
});
