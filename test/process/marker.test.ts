import { afterAll, describe, expect, test } from "bun:test";
import { createRunId, findMarker, formatMarker, MARKER_VAR, parseMarker, readMarker } from "../../src/process/marker";
import { killPids, waitFor } from "../helpers/processes";

describe("service marker", () => {
  const started: number[] = [];
  afterAll(() => killPids(started));

  test("a run id is the pid and 8 hex digits: safe inside the watchdog's grep pattern", () => {
    const id = createRunId();
    expect(id).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{8}$`));
    expect(createRunId()).not.toBe(id);
  });

  test("format and parse agree, names may hold slashes, probes have their own spawn part", () => {
    for (const marker of [
      { runId: "12-ab", spawn: 7, name: "web" },
      { runId: "12-ab", spawn: 1, name: "scope/odd name@2" },
      { runId: "12-ab", spawn: "probe" as const, name: "db" },
    ]) {
      expect(parseMarker(formatMarker(marker))).toEqual(marker);
    }
    expect(formatMarker({ runId: "r", spawn: 3, name: "x" })).toBe("r/3/x");
  });

  test("values that are not markers parse as null", () => {
    for (const value of ["", "r", "r/3", "r/3/", "/3/x", "r/0/x", "r/-1/x", "r/3a/x", "r//x", "r/probes/x"]) {
      expect(parseMarker(value)).toBeNull();
    }
  });

  test("findMarker reads the variable anywhere in an environ block, and only that variable", () => {
    expect(findMarker(`${MARKER_VAR}=a/1/x\0PATH=/bin\0`)).toBe("a/1/x");
    expect(findMarker(`PATH=/bin\0${MARKER_VAR}=a/1/x\0HOME=/`)).toBe("a/1/x");
    expect(findMarker(`PATH=/bin\0${MARKER_VAR}=a/1/x`)).toBe("a/1/x");
    expect(findMarker(`PATH=/bin\0X${MARKER_VAR}=a/1/x\0`)).toBeNull();
    expect(findMarker(`PATH=/bin\0OTHER=${MARKER_VAR}=a/1/x\0`)).toBeNull();
    expect(findMarker("")).toBeNull();
  });

  test("readMarker reads what a real process was exec'd with, and null for one without it", async () => {
    const marked = Bun.spawn(["sleep", "30"], { env: { PATH: process.env.PATH ?? "/bin", [MARKER_VAR]: "run-1/4/web" } });
    const bare = Bun.spawn(["sleep", "30"], { env: { PATH: process.env.PATH ?? "/bin" } });
    started.push(marked.pid, bare.pid);
    await waitFor(() => readMarker(marked.pid) !== null, 5000, "sleep to be exec'd");
    expect(readMarker(marked.pid)).toBe("run-1/4/web");
    expect(readMarker(bare.pid)).toBeNull();
    expect(readMarker(2 ** 22 + 1)).toBeNull(); // no such pid
    marked.kill();
    bare.kill();
    await Promise.all([marked.exited, bare.exited]);
  });
});
