import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PendingBudget } from "../../src/logs/pending-lines";
import { RotatingFile } from "../../src/logs/rotating-file";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rotating-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const read = (name: string) => readFileSync(join(dir, name), "utf8");

describe("RotatingFile", () => {
  test("appends lines to DIR/NAME.log, creating the directory", async () => {
    const file = new RotatingFile({ dir: join(dir, "logs"), name: "api" });
    file.write("hello");
    file.write("wörld");
    await file.close();
    expect(readFileSync(join(dir, "logs", "api.log"), "utf8")).toBe("hello\nwörld\n");
  });

  test("write returns before anything reaches the disk", async () => {
    const file = new RotatingFile({ dir, name: "api" });
    file.write("queued");
    expect(existsSync(join(dir, "api.log"))).toBe(false);
    await file.flush();
    expect(read("api.log")).toBe("queued\n");
    await file.close();
  });

  test("rotates at maxBytes at line boundaries, keeping `keep` old files, newest in .1", async () => {
    const file = new RotatingFile({ dir, name: "svc", maxBytes: 100, keep: 3 });
    // 10-byte lines ("line 0000\n"): 10 per file; 65 lines fill 7 files, only live + 3 survive.
    for (let i = 0; i < 65; i++) {
      file.write(`line ${String(i).padStart(4, "0")}`);
      if (i % 7 === 0) await file.flush(); // mix small and large batches
    }
    await file.close();
    const live = read("svc.log").split("\n").filter(Boolean);
    expect(live).toEqual(["line 0060", "line 0061", "line 0062", "line 0063", "line 0064"]);
    expect(read("svc.log.1").split("\n").filter(Boolean)[0]).toBe("line 0050");
    expect(read("svc.log.3").split("\n").filter(Boolean)[0]).toBe("line 0030");
    for (const name of ["svc.log.1", "svc.log.2", "svc.log.3"]) expect(statSync(join(dir, name)).size).toBe(100);
    expect(existsSync(join(dir, "svc.log.4"))).toBe(false);
  });

  test("continues an existing file and counts its size toward rotation", async () => {
    writeFileSync(join(dir, "db.log"), "x".repeat(95) + "\n");
    const file = new RotatingFile({ dir, name: "db", maxBytes: 100 });
    file.write("next line");
    await file.close();
    expect(read("db.log")).toBe("next line\n");
    expect(read("db.log.1")).toBe("x".repeat(95) + "\n");
  });

  test("beyond maxPendingBytes the oldest lines are dropped, and the file says so where they were", async () => {
    const file = new RotatingFile({ dir, name: "flood", maxPendingBytes: 50 });
    for (let i = 0; i < 10; i++) file.write(`0123456789 ${i}`); // 13 bytes each: 3 fit
    expect(file.droppedLines).toBe(7);
    await file.flush();
    file.write("later");
    await file.close();
    const lines = read("flood.log").split("\n").filter(Boolean);
    expect(lines).toEqual(["[orchestrator: 7 lines dropped, the log writer fell behind]", "0123456789 7", "0123456789 8", "0123456789 9", "later"]);
  });

  test("files share one fleet-wide budget: past it each file drops its own oldest lines, and reports the drops", async () => {
    const budget = new PendingBudget(100);
    const dropped: number[] = [];
    const storage = { failed() {}, recovered() {}, dropped: (_kind: string, n: number) => void dropped.push(n) };
    const a = new RotatingFile({ dir, name: "a", budget, storage });
    const b = new RotatingFile({ dir, name: "b", budget, storage });
    for (let i = 0; i < 6; i++) a.write(`a-line-${i}`.padEnd(15, ".")); // 16 bytes each: 96 of 100
    for (let i = 0; i < 3; i++) b.write(`b-line-${i}`.padEnd(15, "."));
    expect(budget.used).toBeLessThanOrEqual(100);
    expect(a.droppedLines).toBe(0);
    expect(b.droppedLines).toBe(3); // a holds the budget: b keeps none of its own until a's lines are written
    expect(dropped.reduce((x, y) => x + y, 0)).toBe(3);
    await Promise.all([a.close(), b.close()]);
    expect(budget.used).toBe(0);
    expect(read("a.log").split("\n").filter(Boolean)).toHaveLength(6);
  });

  test("log files are created 0600 (rotated ones too) in a folder made 0700, whatever the umask", async () => {
    const umask = process.umask(0);
    try {
      const file = new RotatingFile({ dir: join(dir, "logs"), name: "svc", maxBytes: 20, keep: 2 });
      for (let i = 0; i < 5; i++) file.write(`line ${i} of output`);
      await file.close();
    } finally {
      process.umask(umask);
    }
    expect(statSync(join(dir, "logs")).mode & 0o777).toBe(0o700);
    for (const name of ["svc.log", "svc.log.1", "svc.log.2"]) expect(statSync(join(dir, "logs", name)).mode & 0o777).toBe(0o600);
  });

  test("a log file of ours left wider by an older version is narrowed to 0600 when opened", async () => {
    writeFileSync(join(dir, "old.log"), "from before\n", { mode: 0o644 });
    const file = new RotatingFile({ dir, name: "old" });
    file.write("now");
    await file.close();
    expect(statSync(join(dir, "old.log")).mode & 0o777).toBe(0o600);
  });
});

describe("RotatingFile settings", () => {
  const line = (i: number) => `line ${String(i).padStart(4, "0")}`; // 10 bytes with its newline

  test("keep: 0 truncates the file in place: no rotated file, the live one never past maxBytes", async () => {
    const file = new RotatingFile({ dir, name: "svc", maxBytes: 100, keep: 0 });
    for (let i = 0; i < 25; i++) file.write(line(i));
    await file.close();
    expect(read("svc.log").split("\n").filter(Boolean)).toEqual([20, 21, 22, 23, 24].map(line));
    expect(existsSync(join(dir, "svc.log.1"))).toBe(false);
  });

  test("configure applies new sizes from the next write; rotated files past a smaller keep are removed at the next rotation", async () => {
    const file = new RotatingFile({ dir, name: "svc", maxBytes: 100, keep: 4 });
    for (let i = 0; i < 50; i++) file.write(line(i));
    await file.flush();
    expect(["svc.log.1", "svc.log.2", "svc.log.3", "svc.log.4"].every((n) => existsSync(join(dir, n)))).toBe(true);
    file.configure({ maxBytes: 50, keep: 1 });
    for (let i = 50; i < 60; i++) file.write(line(i));
    await file.close();
    expect(read("svc.log").split("\n").filter(Boolean)).toEqual([55, 56, 57, 58, 59].map(line));
    expect(read("svc.log.1").split("\n").filter(Boolean)).toEqual([50, 51, 52, 53, 54].map(line));
    for (const gone of ["svc.log.2", "svc.log.3", "svc.log.4"]) expect(existsSync(join(dir, gone))).toBe(false);
  });

  test("a smaller keep at start (a restart with new settings) removes the older files of the previous run at the first rotation", async () => {
    for (const n of [1, 2, 3, 4, 5]) writeFileSync(join(dir, `svc.log.${n}`), `old ${n}\n`);
    const file = new RotatingFile({ dir, name: "svc", maxBytes: 20, keep: 2 });
    for (let i = 0; i < 3; i++) file.write(line(i));
    await file.close();
    expect(readdirSync(dir).sort()).toEqual(["svc.log", "svc.log.1", "svc.log.2"]);
    expect(read("svc.log.2")).toBe("old 1\n");
  });

  test("the drop marker is written through `note`, so it reads like the records around it", async () => {
    const file = new RotatingFile({ dir, name: "flood", maxPendingBytes: 50, note: (text) => JSON.stringify({ stream: "orchestrator", line: text }) });
    for (let i = 0; i < 10; i++) file.write(`0123456789 ${i}`);
    await file.close();
    expect(JSON.parse(read("flood.log").split("\n")[0])).toEqual({ stream: "orchestrator", line: "[orchestrator: 7 lines dropped, the log writer fell behind]" });
  });
});
