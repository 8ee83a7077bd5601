import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RotatingFile } from "../../src/logs/rotating-file";

describe("RotatingFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rotating-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (name: string) => readFileSync(join(dir, name), "utf8");

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

  test("drops lines beyond maxPendingBytes and says so in the file", async () => {
    const file = new RotatingFile({ dir, name: "flood", maxPendingBytes: 50 });
    for (let i = 0; i < 10; i++) file.write(`0123456789 ${i}`); // 13 bytes each: 3 fit
    expect(file.droppedLines).toBe(7);
    await file.flush();
    file.write("later");
    await file.close();
    const lines = read("flood.log").split("\n").filter(Boolean);
    expect(lines).toEqual(["0123456789 0", "0123456789 1", "0123456789 2", "[orchestrator: 7 lines dropped, the log writer fell behind]", "later"]);
  });
});
