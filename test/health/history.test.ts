import { describe, expect, test } from "bun:test";
import { HISTORY_LIMIT, ProbeHistory } from "../../src/health/history";
import type { ProbeResult } from "../../src/contract/service-view";

const result = (checkedAt: number, ok = true): ProbeResult => ({ ok, latencyMs: 1, checkedAt, ...(ok ? {} : { error: "HTTP 503" }) });

describe("ProbeHistory", () => {
  test("keeps only the last 100 results, oldest first", () => {
    const history = new ProbeHistory();
    for (let i = 0; i < 250; i++) history.push(result(i));
    const list = history.list();
    expect(list).toHaveLength(HISTORY_LIMIT);
    expect(list[0].checkedAt).toBe(150);
    expect(list[99].checkedAt).toBe(249);
    expect(history.latest()?.checkedAt).toBe(249);
  });

  test("list(n) gives the newest n, before and after the ring wraps", () => {
    const history = new ProbeHistory(5);
    for (let i = 0; i < 3; i++) history.push(result(i));
    expect(history.list(2).map((r) => r.checkedAt)).toEqual([1, 2]);
    for (let i = 3; i < 12; i++) history.push(result(i));
    expect(history.list(3).map((r) => r.checkedAt)).toEqual([9, 10, 11]);
    expect(history.list(50).map((r) => r.checkedAt)).toEqual([7, 8, 9, 10, 11]);
  });

  test("latest is the newest result, or undefined before the first", () => {
    const history = new ProbeHistory();
    expect(history.latest()).toBeUndefined();
    history.push(result(1, false));
    history.push(result(2, true));
    expect(history.latest()?.checkedAt).toBe(2);
  });

  test("rejects a limit that is not a positive integer", () => {
    expect(() => new ProbeHistory(0)).toThrow("positive integer, got 0");
  });
});
