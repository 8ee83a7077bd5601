import { describe, expect, test } from "bun:test";
import {
  GROUP_TONE,
  SERVICE_STATE_CLASSES,
  SYSTEM_STATE_GROUP,
  isReady,
  meetsCondition,
  serviceTone,
  systemTone,
  type ServiceStateClasses,
} from "../../src/contract/state-classes";
import { DEPENDENCY_CONDITIONS, SERVICE_STATES, SYSTEM_STATES } from "../../src/contract/states";

// Each class written out on its own, one line per class, independently of the table: a change
// to the table (a state moved into or out of a class) must be made here too, on purpose.
const MEMBERS = `
isRunning     starting healthy unhealthy
hasProcess    starting healthy unhealthy backoff stopping degraded
isSettled     healthy stopped completed
isDown        backoff stopping stopped blocked degraded failed quarantined
hasGivenUp    failed quarantined
awaitsLaunch  pending blocked
isInFlight    pending starting backoff
`;

const GROUPS = `
healthy    healthy completed
starting   pending starting
attention  unhealthy backoff blocked degraded
failed     failed quarantined
stopped    stopping stopped
`;

const MEETS = `
healthy    healthy completed
started    starting healthy unhealthy completed
completed  completed
`;

function parse(text: string): Map<string, string[]> {
  return new Map(text.trim().split("\n").map((line) => {
    const [name, ...states] = line.trim().split(/\s+/);
    return [name!, states];
  }));
}

const FLAGS = parse(MEMBERS);
const CLASS_KEYS = ["group", "meets", ...FLAGS.keys()].sort();

describe("the state-class table is total", () => {
  test("it has a row for every service state and no other", () => {
    expect(Object.keys(SERVICE_STATE_CLASSES).sort()).toEqual([...SERVICE_STATES].sort());
  });

  for (const state of SERVICE_STATES) {
    test(`${state} has an entry in every class`, () => {
      const row: ServiceStateClasses = SERVICE_STATE_CLASSES[state];
      expect(Object.keys(row).sort()).toEqual(CLASS_KEYS);
      for (const flag of FLAGS.keys()) expect(typeof row[flag as keyof ServiceStateClasses]).toBe("boolean");
      expect(Object.keys(GROUP_TONE)).toContain(row.group);
      for (const condition of row.meets) expect(DEPENDENCY_CONDITIONS as readonly string[]).toContain(condition);
      expect(["ok", "warn", "bad", "idle"]).toContain(serviceTone(state));
    });
  }

  test("every system state has a group, hence a tone", () => {
    expect(Object.keys(SYSTEM_STATE_GROUP).sort()).toEqual([...SYSTEM_STATES].sort());
    for (const state of SYSTEM_STATES) expect(["ok", "warn", "bad", "idle"]).toContain(systemTone(state));
  });
});

describe("each class holds exactly the states it is written down with", () => {
  for (const [flag, members] of FLAGS) {
    test(flag, () => {
      const holding: string[] = SERVICE_STATES.filter((state) => SERVICE_STATE_CLASSES[state][flag as keyof ServiceStateClasses] === true);
      expect([...holding].sort()).toEqual([...members].sort());
    });
  }

  test("every state is in exactly one group", () => {
    const groups = parse(GROUPS);
    for (const state of SERVICE_STATES) {
      const listed = [...groups].filter(([, members]) => members.includes(state)).map(([group]) => group);
      expect({ state, groups: listed }).toEqual({ state, groups: [SERVICE_STATE_CLASSES[state].group] });
    }
  });

  test("dependency conditions are met by the states written down", () => {
    for (const [condition, members] of parse(MEETS)) {
      const meeting: string[] = SERVICE_STATES.filter((state) => meetsCondition(state, condition as (typeof DEPENDENCY_CONDITIONS)[number]));
      expect({ condition, states: [...meeting].sort() }).toEqual({ condition, states: [...members].sort() });
    }
    expect(SERVICE_STATES.filter(isReady).sort()).toEqual(["completed", "healthy"]);
  });
});

describe("tones", () => {
  test("degraded and unhealthy look alike (the CLI and the dashboard both paint from this)", () => {
    expect(serviceTone("degraded")).toBe(serviceTone("unhealthy"));
    expect(serviceTone("unhealthy")).toBe("warn");
  });

  test("a service state and a system state of the same name have the same tone", () => {
    const shared = SYSTEM_STATES.filter((state) => (SERVICE_STATES as readonly string[]).includes(state));
    expect(shared.sort()).toEqual(["degraded", "starting", "stopped", "stopping"]);
    for (const state of shared) expect({ state, tone: systemTone(state) }).toEqual({ state, tone: serviceTone(state as never) });
  });

  test("the given-up states are the bad ones", () => {
    const bad: string[] = SERVICE_STATES.filter((state) => serviceTone(state) === "bad");
    expect(bad.sort()).toEqual(FLAGS.get("hasGivenUp")!.sort());
  });
});
