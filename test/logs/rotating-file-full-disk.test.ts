/**
 * RotatingFile on a real full disk (a tmpfs filled to the last byte): writes never throw,
 * the failure is reported once with a retry, lines wait in memory (bounded, oldest dropped),
 * and once space is freed the retry writes them: no line twice, none run together, and a
 * marker where lines were lost.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FakeClock } from "../../src/lib/clock";
import { StorageHealth, type StorageChange } from "../../src/lib/storage-health";
import { RotatingFile } from "../../src/logs/rotating-file";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";

const disk = mountTmpfs("1m");
afterAll(() => unmountTmpfs(disk.dir));
const skip = disk.skip !== null;
if (skip) console.warn(`skipped: the full-disk log file tests: ${disk.skip}`);

const opened: RotatingFile[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((file) => file.close())); // an open handle would hold the space of a removed file
  if (!skip) for (const name of readdirSync(disk.dir!)) rmSync(join(disk.dir!, name), { recursive: true, force: true });
});

function healthOn(clock: FakeClock) {
  const changes: StorageChange[] = [];
  const health = new StorageHealth({ clock, onChange: (change) => changes.push(change) });
  let failures = 0;
  const storage = {
    failed: (source: string, error: unknown, retry: () => void) => (failures++, health.failed(source, error, retry)),
    recovered: (source: string) => health.recovered(source),
    dropped: health.dropped.bind(health),
  };
  return { health, storage, changes, failures: () => failures };
}

const lines = (text: string) => text.split("\n").filter(Boolean);

/** The lines of a file, without the torn start of a line the disk cut short (it is followed by the whole line, on a line of its own). */
function wholeLines(text: string): string[] {
  const all = lines(text);
  return all.filter((line, i) => !(i + 1 < all.length && all[i + 1].startsWith(line) && all[i + 1] !== line));
}

describe.skipIf(skip)(`RotatingFile on a full disk${skip ? ` (skipped: ${disk.skip})` : ""}`, () => {
  test("a refused write throws nowhere, is reported once, and its lines are written once space is back", async () => {
    const clock = new FakeClock();
    const { health, storage, changes, failures } = healthOn(clock);
    const file = new RotatingFile({ dir: join(disk.dir!, "logs"), name: "api", storage });
    opened.push(file);
    file.write("before the disk filled");
    await file.flush();
    fillDisk(join(disk.dir!, "filler"));
    const line = (i: number) => `line ${i} ${"y".repeat(200)}`; // 100 of them: more than the page the file has begun
    for (let i = 0; i < 50; i++) file.write(line(i));
    await file.flush();
    for (let i = 50; i < 100; i++) file.write(line(i)); // failing: queued, no write attempted
    await file.flush();
    await Promise.resolve();
    expect(failures()).toBe(1);
    expect(changes).toEqual([{ kind: "failed", source: file.path, error: expect.stringContaining("ENOSPC") }]);
    expect(file.lastError?.message).toContain("ENOSPC");

    await clock.advance(500); // a retry, still full
    await file.flush();
    expect(failures()).toBe(2);

    rmSync(join(disk.dir!, "filler"));
    await clock.advance(1000);
    await file.flush();
    expect(changes.map((c) => c.kind)).toEqual(["failed", "recovered"]);
    expect(health.status()).toMatchObject({ ok: true, droppedLogLines: 0 });
    const text = readFileSync(file.path, "utf8");
    expect(lines(text).length - wholeLines(text).length).toBeLessThanOrEqual(1);
    expect(wholeLines(text)).toEqual(["before the disk filled", ...Array.from({ length: 100 }, (_, i) => line(i))]);
  });

  test("a write cut short by the disk is finished later without repeating or merging lines", async () => {
    const clock = new FakeClock();
    const { storage } = healthOn(clock);
    const file = new RotatingFile({ dir: disk.dir!, name: "cut", storage });
    opened.push(file);
    const big = Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(4, "0")} ${"x".repeat(600)}`); // ~1.2 MB: more than the disk
    for (const line of big) file.write(line);
    await file.flush(); // part of it fits, then ENOSPC
    const cut = readFileSync(file.path, "utf8");
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(big.join("\n").length);
    rmSync(file.path); // make room (the open handle was closed on the failure)
    await clock.advance(500);
    await file.flush();
    await file.close();
    const text = readFileSync(file.path, "utf8");
    expect(lines(text).length - wholeLines(text).length).toBeLessThanOrEqual(1);
    const rest = wholeLines(text);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest).toEqual(big.slice(big.length - rest.length)); // the lines the cut write did not get in: in order, none twice
  });

  test("while the disk refuses writes, the oldest queued lines are dropped past the bound, and the file says why", async () => {
    const clock = new FakeClock();
    const { health, storage } = healthOn(clock);
    const file = new RotatingFile({ dir: disk.dir!, name: "flood", maxPendingBytes: 100, storage });
    opened.push(file);
    fillDisk(join(disk.dir!, "filler"));
    for (let i = 0; i < 30; i++) file.write(`flood ${String(i).padStart(3, "0")}`); // 10 bytes each: 10 fit
    await file.flush();
    expect(file.droppedLines).toBe(20);
    expect(health.status().droppedLogLines).toBe(20);
    rmSync(join(disk.dir!, "filler"));
    await clock.advance(500);
    await file.close();
    const written = lines(readFileSync(file.path, "utf8"));
    expect(written[0]).toMatch(/^\[orchestrator: 20 lines dropped, the disk refused writes: ENOSPC/);
    expect(written.slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => `flood ${String(20 + i).padStart(3, "0")}`));
  });
});
