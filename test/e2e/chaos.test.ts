/**
 * Chaos, short form: 50 services under the compiled binary, 100 random `kill -9`s over
 * about 15 s while the API is under load (bench/chaos.ts, the same runner as the full
 * 200-service / 1,000-kill run in docs/BENCHMARKS.md). Asserts the invariants, never timing.
 * The runner cleans up by PID in its own `finally`; afterAll SIGKILLs (by PID) whatever a
 * timed-out run still holds.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { killActiveRuns, runChaos } from "../../bench/chaos";
import { BINARY, ensureBinary } from "../helpers/binary-run";

beforeAll(() => ensureBinary());
afterAll(() => killActiveRuns());

describe("chaos (compiled binary)", () => {
  test("50 services, 100 random kill -9 under API load: all healthy, restarts = kills, no seq gap, nothing left", async () => {
    const report = await runChaos({ services: 50, kills: 100, seconds: 15, orchestratorBinary: BINARY });

    expect(report.kills).toBe(100);
    expect(report.notHealthy).toEqual([]);
    expect(report.systemState).toBe("ready");
    // each service's restart count, `restarted` and `detected` healing events equal its kills
    expect(report.restartMismatches).toEqual({});
    expect(report.healingMismatches).toEqual({});
    expect(report.healingActions.restarted).toBe(100);
    expect(report.healingActions.escalated ?? 0).toBe(0);
    expect(report.healingActions.quarantined ?? 0).toBe(0);
    expect(report.healingActions["breaker-opened"] ?? 0).toBe(0);
    // the stored events are 1, 2, 3, ... up to the orchestrator's own lastSeq
    expect(report.events.gaps).toEqual([]);
    expect(report.events.firstSeq).toBe(1);
    expect(report.events.lastSeq).toBeGreaterThanOrEqual(report.events.statsLastSeq);
    expect(report.events.count).toBe(report.events.lastSeq);
    // the load loop
    expect(report.api.requests).toBeGreaterThan(0);
    expect(report.api.non2xx).toBe(0);
    expect(report.api.failed).toBe(0);
    // shutdown
    expect(report.shutdown.exitCode).toBe(0);
    expect(report.shutdown.leftover).toEqual([]);
    expect(report.violations).toEqual([]);
  }, 90_000);
});
