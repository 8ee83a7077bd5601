import { describe, expect, test } from "bun:test";
import { stateColor } from "../../src/cli/client/paint-state";
import { SERVICE_STATES, SYSTEM_STATES } from "../../src/contract/states";
import { makeStyle } from "../../src/cli/style";
import { STATE_TONE, SYSTEM_TONE } from "../../src/dashboard/lib/states";

const style = makeStyle(true);
const colour = (state: string) => stateColor(style, state)("x").replace("x", "");

// The dashboard's six tones fall into the CLI's four colours; the two must never disagree.
const CLI_COLOUR_OF_DASHBOARD_TONE = { ok: "green", done: "green", info: "yellow", warn: "yellow", bad: "red", muted: "dim" } as const;
const ANSI = { green: "\x1b[32m\x1b[0m", yellow: "\x1b[33m\x1b[0m", red: "\x1b[31m\x1b[0m", dim: "\x1b[2m\x1b[0m" };

describe("the CLI and the dashboard paint states alike", () => {
  test("degraded and unhealthy are amber in both", () => {
    expect(colour("degraded")).toBe(ANSI.yellow);
    expect(colour("unhealthy")).toBe(ANSI.yellow);
    expect(STATE_TONE.degraded).toBe(STATE_TONE.unhealthy);
    expect(SYSTEM_TONE.degraded).toBe(STATE_TONE.degraded);
  });

  for (const state of SERVICE_STATES) {
    test(`service state ${state}`, () => {
      expect(colour(state)).toBe(ANSI[CLI_COLOUR_OF_DASHBOARD_TONE[STATE_TONE[state]]]);
    });
  }

  for (const state of SYSTEM_STATES) {
    test(`system state ${state}`, () => {
      expect(colour(state)).toBe(ANSI[CLI_COLOUR_OF_DASHBOARD_TONE[SYSTEM_TONE[state]]]);
    });
  }

  test("an unknown word is painted as in progress", () => {
    expect(colour("rebooting")).toBe(ANSI.yellow);
  });
});
