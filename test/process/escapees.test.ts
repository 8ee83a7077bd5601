import { describe, expect, test } from "bun:test";
import { selectEscapees, type EscapeContext, type SpawnRecord } from "../../src/process/escapees";
import type { ProcessInfo } from "../../src/process/proc-scan";

// A made-up process table around an orchestrator with pid 100 and run id "r".
const SELF = 100;
const web: SpawnRecord = { marker: "r/1/web", name: "web", pid: 200, startTicks: 1000 };
const api: SpawnRecord = { marker: "r/2/api", name: "api", pid: 300, startTicks: 2000 };

function proc(pid: number, fields: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid, ppid: SELF, pgid: pid, startTicks: 5000, state: "S", marker: null, ...fields };
}

function context(live: SpawnRecord[], own: number[] = []): EscapeContext {
  return { runId: "r", selfPid: SELF, isOwnChild: (child) => own.includes(child.pid), live };
}

const pick = (table: ProcessInfo[], ctx: EscapeContext, ended: SpawnRecord | null) =>
  selectEscapees(table, ctx, ended)
    .map((e) => `${e.pid}:${e.how}:${e.service ?? "-"}`)
    .sort();

describe("selectEscapees", () => {
  test("a process carrying the ended spawn's marker goes; one of a live spawn or another run stays", () => {
    const table = [
      proc(201, { marker: "r/1/web" }),
      proc(301, { marker: "r/2/api" }),
      proc(401, { marker: "other/1/web" }),
      proc(402, { marker: "not a marker" }),
    ];
    expect(pick(table, context([api]), web)).toEqual(["201:marker:web"]);
  });

  test("leftovers of an older spawn that is no longer live go too, put down to their own service", () => {
    const table = [proc(150, { marker: "r/9/cache" }), proc(301, { marker: "r/2/api" })];
    expect(pick(table, context([api]), web)).toEqual(["150:marker:cache"]);
  });

  test("members of the ended spawn's own group are killed again but marked as such (not escapees)", () => {
    const table = [proc(202, { pgid: 200, marker: "r/1/web" }), proc(203, { pgid: 200 })];
    expect(pick(table, context([]), web)).toEqual(["202:group:web", "203:group:web"]);
  });

  test("descendants go with their ancestor, except those carrying a live spawn's marker", () => {
    const table = [
      proc(201, { marker: "r/1/web" }),
      proc(210, { ppid: 201 }), // emptied its environment
      proc(211, { ppid: 210, marker: "other/1/x" }),
      proc(212, { ppid: 201, marker: "r/2/api" }),
      proc(213, { ppid: 212 }),
    ];
    expect(pick(table, context([api]), web)).toEqual(["201:marker:web", "210:tree:web", "211:tree:web"]);
  });

  test("an adopted unmarked stray is the ended spawn's when it started in its life and before every live spawn", () => {
    const during = proc(500, { startTicks: 1500 }); // after web started, before api did
    const later = proc(501, { startTicks: 2500 }); // api was running too: cannot tell
    const before = proc(502, { startTicks: 900 }); // before web started
    const notAdopted = proc(503, { ppid: 1, startTicks: 1500 }); // not our child: nothing links it to us
    expect(pick([during, later, before, notAdopted], context([api]), web)).toEqual(["500:stray:web"]);
    // Once api has ended too, the one that could have been either's goes with it.
    expect(pick([later, before, notAdopted], context([]), api)).toEqual(["501:stray:api"]);
  });

  test("Bun's own children, this process and zombies are never chosen", () => {
    const table = [
      proc(200, { marker: "r/1/web" }), // a leader Bun still holds (its exit not yet seen)
      proc(600, { marker: "r/probe/web", startTicks: 500 }), // an in-flight probe
      proc(SELF, { ppid: 1, marker: "r/1/web" }),
      proc(601, { marker: "r/1/web", state: "Z" }),
      proc(602, { state: "Z", startTicks: 1500 }),
    ];
    expect(pick(table, context([], [200, 600]), web)).toEqual([]);
  });

  test("a probe's leftovers go when they predate the service's current spawn, or when it has none", () => {
    const web2: SpawnRecord = { ...web, marker: "r/3/web", pid: 250, startTicks: 3000 };
    const old = proc(700, { marker: "r/probe/web", startTicks: 2500 });
    const current = proc(701, { marker: "r/probe/web", startTicks: 3500 });
    expect(pick([old, current], context([web2]), web)).toEqual(["700:probe:web"]);
    expect(pick([old, current], context([]), web2)).toEqual(["700:probe:web", "701:probe:web"]);
  });

  test("shutdown takes every process of the run, live or not, and every adopted stray", () => {
    const table = [
      proc(201, { marker: "r/1/web" }),
      proc(301, { marker: "r/2/api" }),
      proc(700, { marker: "r/probe/web" }),
      proc(500, { startTicks: 1 }),
      proc(401, { ppid: 1, marker: "other/1/web" }),
      proc(402, { ppid: 1 }),
    ];
    expect(pick(table, context([web, api]), null)).toEqual(["201:marker:web", "301:marker:api", "500:stray:-", "700:probe:web"]);
  });
});
