/** StorageHealth: one announcement per episode, retries on the injected clock with backoff, nothing armed while healthy. */
import { expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { describeCause, StorageHealth, type StorageChange } from "../../src/lib/storage-health";

const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });

function tracker() {
  const clock = new FakeClock();
  const changes: StorageChange[] = [];
  const health = new StorageHealth({ clock, onChange: (change) => changes.push(change) });
  return { clock, changes, health };
}

test("healthy: nothing armed, status ok", () => {
  const { clock, health } = tracker();
  health.recovered("/state/orchestrator.db"); // a writer that was never failing
  expect(clock.pendingCount).toBe(0);
  expect(health.status()).toEqual({ ok: true, lastError: null, droppedEvents: 0, droppedLogLines: 0 });
});

test("an episode is announced once, after the failing call returns, however many writers fail how often", async () => {
  const { changes, health } = tracker();
  health.failed("/state/orchestrator.db", full, () => {});
  expect(changes).toEqual([]); // not from inside the failing write (it may be inside emit)
  await Promise.resolve();
  health.failed("/state/orchestrator.db", full, () => {});
  health.failed("/state/logs/api.log", Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }), () => {});
  await Promise.resolve();
  expect(changes).toEqual([{ kind: "failed", source: "/state/orchestrator.db", error: "cannot write /state/orchestrator.db: database or disk is full (SQLITE_FULL)" }]);
  expect(health.status()).toMatchObject({ ok: false, lastError: "cannot write /state/logs/api.log: ENOSPC: no space left on device, write" });

  health.recovered("/state/orchestrator.db");
  await Promise.resolve();
  expect(changes).toHaveLength(1); // api.log still fails
  health.dropped("logLines", 7);
  health.dropped("events", 2);
  health.recovered("/state/logs/api.log");
  await Promise.resolve();
  expect(changes[1]).toEqual({ kind: "recovered", source: "/state/orchestrator.db", status: { ok: true, lastError: expect.stringContaining("api.log"), droppedEvents: 2, droppedLogLines: 7 } });

  health.failed("/state/orchestrator.db", full, () => {});
  await Promise.resolve();
  expect(changes.map((c) => c.kind)).toEqual(["failed", "recovered", "failed"]); // a new episode
});

test("a failure that recovers before the announcement is not announced at all", async () => {
  const { changes, health } = tracker();
  health.failed("/state/orchestrator.db", full, () => {});
  health.recovered("/state/orchestrator.db");
  await Promise.resolve();
  expect(changes).toEqual([]);
});

test("retries run on the clock, 500 ms doubling to 5 s, each failing writer once per round, until all recover", async () => {
  const { clock, health } = tracker();
  const calls: number[] = [];
  const started = clock.now();
  let failing = true;
  const retry = () => {
    calls.push(clock.now() - started);
    if (failing) health.failed("/db", full, retry);
    else health.recovered("/db");
  };
  health.failed("/db", full, retry);
  await clock.advance(20_000);
  expect(calls).toEqual([500, 1500, 3500, 7500, 12500, 17500]);
  failing = false;
  await clock.advance(5000);
  expect(calls.at(-1)).toBe(22_500);
  expect(health.status().ok).toBe(true);
  expect(clock.pendingCount).toBe(0);
  health.failed("/db", full, retry); // a new episode starts over at 500 ms
  failing = true;
  await clock.advance(500);
  expect(calls.at(-1)).toBe(25_500); // failed again at 25 s
  health.stop();
  expect(clock.pendingCount).toBe(0);
});

test("describeCause adds the code when the message lacks it", () => {
  expect(describeCause(full)).toBe("database or disk is full (SQLITE_FULL)");
  expect(describeCause(Object.assign(new Error("EROFS: read-only file system, open '/x'"), { code: "EROFS" }))).toBe("EROFS: read-only file system, open '/x'");
  expect(describeCause("plain")).toBe("plain");
});
