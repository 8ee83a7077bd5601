/**
 * What does the healthy storage path cost? Emits N events through the EventBus into the
 * SQLite store (real file, WAL) and writes N lines to a RotatingFile, on a disk that works.
 * Reports ms per run (median and min of `rounds`) and µs per event / per line: appending and
 * writing out (flush), not closing (a real close also checkpoints the WAL).
 *
 *   bun bench/storage-cost.ts [events=100000] [rounds=5]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../src/events/bus";
import { SqliteEventStore } from "../src/events/sqlite-store";
import { systemClock } from "../src/lib/clock";
import { RotatingFile } from "../src/logs/rotating-file";

const count = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);

async function emitEvents(dir: string): Promise<number> {
  const store = new SqliteEventStore(join(dir, "orchestrator.db"), { clock: systemClock });
  const bus = new EventBus(store, systemClock);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    bus.emit({ type: "health", payload: { name: `svc-${i % 200}`, ok: true, status: "healthy", latencyMs: 1.5, endpoint: "/health" } });
    if (i % 1000 === 999) await Promise.resolve(); // let timers and I/O run now and then, as the event loop would
  }
  store.flush();
  const elapsed = performance.now() - started;
  store.close();
  return elapsed;
}

async function writeLines(dir: string): Promise<number> {
  const file = new RotatingFile({ dir: join(dir, "logs"), name: "svc" });
  const line = `a line of service output ${"x".repeat(60)}`;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    file.write(line);
    if (i % 1000 === 999) await Promise.resolve();
  }
  await file.flush();
  const elapsed = performance.now() - started;
  await file.close();
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const results = { events: [] as number[], lines: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const dir = mkdtempSync(join(tmpdir(), "storage-cost-"));
  try {
    results.events.push(await emitEvents(dir));
    results.lines.push(await writeLines(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const [what, times] of Object.entries(results)) {
  const ms = median(times);
  const min = Math.min(...times);
  console.log(`${what}: ${count} in ${ms.toFixed(1)} ms median, ${min.toFixed(1)} ms min of ${rounds} (${((ms * 1000) / count).toFixed(2)} µs each; runs ${times.map((t) => t.toFixed(0)).join(", ")})`);
}
