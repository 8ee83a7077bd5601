/** limits.memory (SPEC §13) with a fake host: the RSS is what the test says, time is the fake clock's. */
import { describe, expect, test } from "bun:test";
import { FakeHost } from "../../src/process/fake-host";
import { SAMPLE_MS } from "../../src/supervisor/memory-watch";
import { NO_PROBE, createHarness, service } from "./harness";
import type { ServiceConfig } from "../../src/contract/config";

const MiB = 1024 * 1024;

function limited(services: ServiceConfig[]) {
  const host = new FakeHost();
  const h = createHarness(services, { overrides: { host }, configure: (c) => void (c.circuitBreaker.failureThreshold = 1000) });
  return { ...h, host };
}

async function launch(h: ReturnType<typeof limited>, ...names: string[]) {
  void h.supervisor.start();
  h.probes.pass(...names);
  await h.settle();
}

const notices = (h: ReturnType<typeof limited>) => h.sink.events.flatMap((e) => (e.type === "notice" ? [e.payload] : []));

describe("memory ceiling", () => {
  test("over the limit: a failure with reason memory naming the RSS and the limit, restarted gracefully at attempt 1", async () => {
    const h = limited([service("api", { limits: { memoryBytes: 64 * MiB } })]);
    await launch(h, "api");
    const first = h.spawner.last("api");
    h.host.setMemory(first.pid, 60 * MiB);
    await h.clock.advance(SAMPLE_MS * 3);
    expect(h.state("api")).toBe("healthy");
    h.host.setMemory(first.pid, 80 * MiB);
    await h.clock.advance(SAMPLE_MS);
    const reason = `memory: RSS 80.0 MiB (${80 * MiB} bytes, 1 process) is over limits.memory 64.0 MiB (${64 * MiB} bytes)`;
    expect(h.sink.healing("api").map((e) => [e.action, e.attempt, e.tier, e.reason])).toEqual([
      ["detected", 0, undefined, reason],
      ["restart-scheduled", 1, "graceful", reason],
      ["restarted", 1, "graceful", reason],
    ]);
    expect(first.signals).toEqual(["SIGTERM"]); // its shutdown signal, not a SIGKILL
    expect(h.state("api")).toBe("starting");
    expect(h.spawner.children("api")).toHaveLength(2);
  });

  test("the next memory failures climb the ladder as usual, never below graceful", async () => {
    const h = limited([service("api", { limits: { memoryBytes: 64 * MiB } })]);
    await launch(h, "api");
    const tiers: string[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      h.host.setMemory(h.spawner.last("api").pid, 100 * MiB);
      await h.clock.advance(SAMPLE_MS);
      tiers.push(h.sink.healing("api").filter((e) => e.action === "restart-scheduled").at(-1)!.tier!);
      h.probes.pass("api");
    }
    expect(tiers).toEqual(["graceful", "graceful", "graceful", "graceful", "graceful", "dependencies"]);
  });

  test("no limit, no sampling: nothing is measured however long it runs", async () => {
    const h = limited([service("api"), service("worker", { health: NO_PROBE })]);
    await launch(h, "api");
    await h.clock.advance(600_000);
    expect(h.host.samples).toEqual([]);
    expect(notices(h)).toEqual([]);
  });

  test("only limited services are sampled, once a second, and sampling ends when they stop", async () => {
    const h = limited([service("api", { limits: { memoryBytes: 64 * MiB } }), service("web")]);
    await launch(h, "api", "web");
    await h.clock.advance(SAMPLE_MS * 5);
    expect(h.host.samples).toEqual(Array(5).fill([h.spawner.last("api").pid]));
    await h.supervisor.stop("api").done;
    await h.clock.advance(SAMPLE_MS * 10);
    expect(h.host.samples).toHaveLength(5);
  });

  test("the orchestrator says once how memory limits are enforced here, and why not by cgroup v2", async () => {
    const h = limited([service("api", { limits: { memoryBytes: 64 * MiB } }), service("db", { limits: { memoryBytes: 1024 * MiB } })]);
    h.host.enforcement = { usable: false, reason: "the cgroup v2 hierarchy at /sys/fs/cgroup/unified offers no memory controller (controllers: hugetlb)" };
    await launch(h, "api", "db");
    h.spawner.last("api").exit(1);
    await h.settle();
    expect(notices(h)).toEqual([
      {
        kind: "memory-limits",
        level: "info",
        message:
          "limits.memory (api, db) is enforced by sampling the RSS of each service's processes every 1 s; cgroup v2 memory.max is not used: the cgroup v2 hierarchy at /sys/fs/cgroup/unified offers no memory controller (controllers: hugetlb)",
      },
    ]);
  });
});
