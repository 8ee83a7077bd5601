import { describe, expect, test } from "bun:test";
import { describeReadiness } from "../../src/dashboard/lib/readiness-facts";
import { serviceConfig, summary } from "../helpers/fake-data";

const facts = (...args: Parameters<typeof describeReadiness>) => Object.fromEntries(describeReadiness(...args).map((f) => [f.key, f.value]));

describe("the details panel's readiness facts", () => {
  test("without ready: its first passing health probe, and nothing about liveness apart", () => {
    const s = summary("api");
    expect(facts(serviceConfig(s), s.readiness)).toEqual({ ready: "its first passing health probe · ready by health probe passed" });
  });

  test("notify: systemd: the source, what made it ready, STATUS=, the watchdog and the health probe as liveness", () => {
    const s = summary("db", { readiness: { ...summary("db").readiness, source: "systemd", signal: "READY=1", status: "accepting connections" } });
    const config = { ...serviceConfig(s), ready: { kind: "systemd" as const, watchdogMs: 30_000 } };
    expect(facts(config, s.readiness)).toEqual({
      ready: "sd_notify READY=1 on NOTIFY_SOCKET · ready by READY=1",
      "notify-status": "accepting connections",
      watchdog: "WATCHDOG=1 due every 30s",
      liveness: "http /health every 5s, after it is ready",
    });
  });

  test("a log line not seen yet says so", () => {
    const s = summary("cache", { state: "starting", readiness: { ...summary("cache").readiness, source: "log", ready: false, signal: null, readyAt: null } });
    const config = { ...serviceConfig(s), ready: { kind: "log" as const, pattern: "Ready to accept" }, health: { ...serviceConfig(s).health, check: null } };
    expect(facts(config, s.readiness)).toEqual({ ready: "an output line matching /Ready to accept/ · not ready yet", liveness: "none (health: false)" });
  });
});
