import { expect, test } from "bun:test";
import { STATE_FILTERS, STATE_TONE, SYSTEM_TONE } from "../../src/dashboard/lib/states";

// The dashboard's look, written out: it is derived from the contract's state table now and
// must stay what it was (amber for every state that needs attention, blue while starting).
test("every service state keeps its tone", () => {
  expect(STATE_TONE).toEqual({
    healthy: "ok",
    completed: "done",
    pending: "info",
    starting: "info",
    unhealthy: "warn",
    backoff: "warn",
    blocked: "warn",
    degraded: "warn",
    failed: "bad",
    quarantined: "bad",
    stopping: "muted",
    stopped: "muted",
  });
});

test("every system state keeps its tone", () => {
  expect(SYSTEM_TONE).toEqual({ starting: "info", ready: "ok", degraded: "warn", stopping: "muted", stopped: "muted" });
});

test("the filters above the grid keep their order, labels and states", () => {
  expect(STATE_FILTERS.map((f) => [f.id, f.label, f.states && [...f.states].sort()])).toEqual([
    ["all", "All", null],
    ["healthy", "Healthy", ["completed", "healthy"]],
    ["starting", "Starting", ["pending", "starting"]],
    ["attention", "Attention", ["backoff", "blocked", "degraded", "unhealthy"]],
    ["failed", "Failed", ["failed", "quarantined"]],
    ["stopped", "Stopped", ["stopped", "stopping"]],
  ]);
});
