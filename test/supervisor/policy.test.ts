import { describe, expect, test } from "bun:test";
import type { Exit } from "../../src/process/spawner";
import type { RestartPolicy } from "../../src/contract/config";
import { describeExit, judgeExit, judgeFailure } from "../../src/supervisor/policy";

const clean: Exit = { code: 0, signal: null, reason: "exited" };
const crash: Exit = { code: 1, signal: null, reason: "exited" };
const killed: Exit = { code: null, signal: "SIGSEGV", reason: "signaled" };
const probe = { kind: "tcp" as const, port: 1, host: "127.0.0.1" };

function service(policy: RestartPolicy, probed: boolean) {
  return { restart: { policy, backoffMs: [0], resetAfterMs: 1 }, health: { check: probed ? probe : null, intervalMs: 1, timeoutMs: 1, failureThreshold: 1 } };
}

describe("restart policies", () => {
  test("a clean exit of an unprobed service completes unless policy is always", () => {
    expect(judgeExit(service("on-failure", false), clean)).toBe("complete");
    expect(judgeExit(service("never", false), clean)).toBe("complete");
    expect(judgeExit(service("always", false), clean)).toBe("restart");
  });

  test("a clean exit of a probed service completes too: only always restarts clean exits (SPEC §8)", () => {
    expect(judgeExit(service("on-failure", true), clean)).toBe("complete");
    expect(judgeExit(service("never", true), clean)).toBe("complete");
    expect(judgeExit(service("always", true), clean)).toBe("restart");
  });

  test("crashes restart except under never", () => {
    for (const exit of [crash, killed]) {
      expect(judgeExit(service("on-failure", true), exit)).toBe("restart");
      expect(judgeExit(service("always", false), exit)).toBe("restart");
      expect(judgeExit(service("never", false), exit)).toBe("give-up");
    }
    expect(judgeFailure(service("never", true))).toBe("give-up");
    expect(judgeFailure(service("on-failure", true))).toBe("restart");
  });

  test("exits read as plain words", () => {
    expect(describeExit(crash)).toBe("exited with code 1");
    expect(describeExit(killed)).toBe("killed by SIGSEGV");
    expect(describeExit({ code: null, signal: null, reason: "spawn-error", error: "ENOENT" })).toBe("could not start: ENOENT");
  });
});
