import { describe, expect, test } from "bun:test";
import { DEFAULT_RING_CAPACITY, LogRingBuffer } from "../../src/logs/ring-buffer";
import type { LogLine } from "../../src/contract/output";

const entry = (n: number): LogLine => ({ ts: n, stream: n % 2 ? "stderr" : "stdout", line: `line ${n}` });

describe("LogRingBuffer", () => {
  test("keeps the last 1000 lines by default, oldest first", () => {
    const ring = new LogRingBuffer();
    for (let i = 0; i < 2500; i++) ring.push(entry(i));
    expect(ring.capacity).toBe(DEFAULT_RING_CAPACITY);
    expect(ring.size).toBe(1000);
    expect(ring.total).toBe(2500);
    const lines = ring.lines();
    expect(lines[0]).toEqual(entry(1500));
    expect(lines.at(-1)).toEqual(entry(2499));
  });

  test("before it fills it holds exactly what was pushed", () => {
    const ring = new LogRingBuffer(5);
    ring.push(entry(1));
    ring.push(entry(2));
    expect(ring.lines()).toEqual([entry(1), entry(2)]);
  });

  test("lines(limit) returns the newest `limit`, oldest first, across the wrap", () => {
    const ring = new LogRingBuffer(4);
    for (let i = 0; i < 6; i++) ring.push(entry(i));
    expect(ring.lines(3).map((l) => l.line)).toEqual(["line 3", "line 4", "line 5"]);
    expect(ring.lines(99)).toHaveLength(4);
    expect(ring.lines(0)).toEqual([]);
  });

  test("clear empties it", () => {
    const ring = new LogRingBuffer(3);
    ring.push(entry(1));
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.lines()).toEqual([]);
  });

  test("after a wrap and a clear it fills and wraps again in order", () => {
    const ring = new LogRingBuffer(3);
    for (let i = 0; i < 5; i++) ring.push(entry(i));
    ring.clear();
    ring.push(entry(10));
    expect(ring.lines()).toEqual([entry(10)]);
    for (let i = 11; i < 15; i++) ring.push(entry(i));
    expect(ring.lines().map((l) => l.line)).toEqual(["line 12", "line 13", "line 14"]);
    expect(ring.total).toBe(10);
  });

  test("every fill level from empty to past a wrap reads back the newest lines in order", () => {
    const ring = new LogRingBuffer(7);
    for (let i = 0; i < 20; i++) {
      ring.push(entry(i));
      const want = Array.from({ length: Math.min(i + 1, 7) }, (_, k) => entry(i - Math.min(i, 6) + k));
      expect(ring.lines()).toEqual(want);
      expect(ring.lines(2)).toEqual(want.slice(-2));
    }
  });

  test("rejects a capacity that is not a positive integer", () => {
    expect(() => new LogRingBuffer(0)).toThrow("expected a positive integer capacity, got 0");
  });
});
